#!/usr/bin/env bash
# The ce-report GitHub Action's work (action.yml runs it; test/action.test.ts runs it with
# GitHub's variables stood in for). It
#   1. reads the published site's data/figures.json to see whether there is a baseline:
#      HTTP 200 → --baseline SITE; 404 → the first build (--history, no comparison);
#      anything else stops the job (building without the baseline would drop the history);
#   2. builds the site (ce-report appends baseline.md to $GITHUB_STEP_SUMMARY itself);
#   3. on a pull request, posts or updates ONE comment, found by its hidden marker;
#   4. writes the step outputs (site-dir, verdict, deploy, exit-code, comment-id);
#   5. exits with ce-report's code (3: a regression, with fail-on-regression).
#
# Settings (action.yml sets them from its inputs):
#   CE_ACTION_CLI                 ce-report's dist/cli.js (required)
#   CE_ACTION_INPUTS              inputs, one per line (files, folders, globs); empty: the config's
#   CE_ACTION_CONFIG              config file (default: ce-report.config.json when present)
#   CE_ACTION_OUT                 output folder (default ce-report-site)
#   CE_ACTION_SITE_URL            the published site (default https://OWNER.github.io/REPO/)
#   CE_ACTION_BASELINE            the site to compare with (default: the site URL); "none": no baseline
#   CE_ACTION_FAIL_ON_REGRESSION  true|false (default true)
#   CE_ACTION_COMMENT             true|false: comment on pull requests (default true)
#   CE_ACTION_MARKER              the hidden marker of the comment (default <!-- ce-report -->)
#   GITHUB_TOKEN                  for the comment (issues: write / pull-requests: write)
# and GitHub's own: GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_REF_NAME,
# GITHUB_API_URL, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT (GITHUB_SHA, GITHUB_HEAD_REF: read by ce-report).
set -euo pipefail

die() {
  echo "::error::ce-report action: $*" >&2
  exit 1
}
warn() {
  echo "::warning::ce-report action: $*" >&2
}
bool() {
  case "${1,,}" in
    true | yes | 1 | on) echo true ;;
    false | no | 0 | off | '') echo false ;;
    *) die "expected true or false, got '$1'" ;;
  esac
}
output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"; fi
}
summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then printf '%s\n' "$1" >>"$GITHUB_STEP_SUMMARY"; fi
}
# A field of a JSON file (a dotted path), or empty when it is missing.
json_field() {
  node -e '
    const [file, field] = process.argv.slice(1);
    let v;
    try { v = JSON.parse(require("fs").readFileSync(file, "utf8")); } catch { process.exit(0); }
    for (const k of field.split(".")) v = v == null ? undefined : v[k];
    if (v !== undefined && v !== null && typeof v !== "object") process.stdout.write(String(v));
  ' "$1" "$2"
}

cli=${CE_ACTION_CLI:?CE_ACTION_CLI must name ce-report dist/cli.js}
[ -f "$cli" ] || die "$cli not found (was ce-report built?)"
repo=${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set (owner/name)}
event=${GITHUB_EVENT_NAME:-}
out=${CE_ACTION_OUT:-ce-report-site}
fail_on_regression=$(bool "${CE_ACTION_FAIL_ON_REGRESSION:-true}")
comment=$(bool "${CE_ACTION_COMMENT:-true}")
marker=${CE_ACTION_MARKER:-<!-- ce-report -->}
api=${GITHUB_API_URL:-https://api.github.com}

# The published site: https://owner.github.io/repo/ (host names are lower case), or the
# owner's own site for a repository named owner.github.io.
owner=${repo%%/*}
name=${repo#*/}
if [ -n "${CE_ACTION_SITE_URL:-}" ]; then
  site_url=$CE_ACTION_SITE_URL
elif [ "${name,,}" = "${owner,,}.github.io" ]; then
  site_url="https://${owner,,}.github.io/"
else
  site_url="https://${owner,,}.github.io/${name}/"
fi
site_url="${site_url%/}/"
baseline=${CE_ACTION_BASELINE:-$site_url}

# This build is published when it runs on the default branch (not for a pull request).
default_branch=""
if [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ]; then
  default_branch=$(json_field "$GITHUB_EVENT_PATH" repository.default_branch)
fi
default_branch=${default_branch:-main}
pr=""
deploy=false
case "$event" in
  pull_request | pull_request_target)
    [ -n "${GITHUB_EVENT_PATH:-}" ] && pr=$(json_field "$GITHUB_EVENT_PATH" pull_request.number)
    [ -n "$pr" ] || die "a $event event without pull_request.number in GITHUB_EVENT_PATH"
    ;;
  *)
    if [ "${GITHUB_REF_NAME:-}" = "$default_branch" ]; then deploy=true; fi
    ;;
esac

# 1. Is there a published site to compare with?
args=(build --out "$out")
use_baseline=""
first_note=""
if [ "${baseline,,}" = none ]; then
  first_note="No baseline (the action's baseline input is none): nothing to compare with; the history starts with this build."
elif [[ "$baseline" =~ ^https?:// ]]; then
  status=$(curl -sS -L -o /dev/null -w '%{http_code}' --max-time 30 "${baseline%/}/data/figures.json") || status=000
  case "$status" in
    200) use_baseline=$baseline ;;
    404) first_note="No ce-report site is published at ${baseline} yet (its data/figures.json answered 404): this build has nothing to compare with, and the history starts with it." ;;
    *) die "cannot read the baseline ${baseline%/}/data/figures.json (HTTP $status). Building without it would start the history anew; set the action's baseline input to none to do that on purpose." ;;
  esac
elif [ -f "$baseline/data/figures.json" ]; then
  use_baseline=$baseline
else
  first_note="No ce-report site in the folder ${baseline}: nothing to compare with; the history starts with this build."
fi
if [ -n "$use_baseline" ]; then
  args+=(--baseline "$use_baseline")
  if [ "$fail_on_regression" = true ]; then args+=(--fail-on-regression); fi
else
  args+=(--history)
fi
if [ -n "${CE_ACTION_CONFIG:-}" ]; then args+=(--config "$CE_ACTION_CONFIG"); fi
# Links into the published site only for the build that is published: a pull request's
# pages are not there, and its comment would link the baseline's.
if [ "$deploy" = true ]; then args+=(--site-url "$site_url"); fi
# The inputs, one a line, after `--` so that none is taken for an option.
inputs=()
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  if [ -n "$line" ]; then inputs+=("$line"); fi
done <<<"${CE_ACTION_INPUTS:-}"
if [ "${#inputs[@]}" -gt 0 ]; then args+=(-- "${inputs[@]}"); fi

# 2. Build. 3 (a regression) still comments and writes the outputs.
echo "ce-report ${args[*]}" >&2
set +e
node "$cli" "${args[@]}"
code=$?
set -e
case "$code" in
  0 | 3) ;;
  *) exit "$code" ;;
esac
if [ -n "$first_note" ]; then summary "$first_note"; fi

verdict=none
if [ -n "$use_baseline" ]; then verdict=$(json_field "$out/data/comparison.json" verdict); fi
output site-dir "$(cd "$out" && pwd)"
output verdict "${verdict:-none}"
output deploy "$deploy"
output exit-code "$code"
output baseline "$use_baseline"

# 3. The pull-request comment: one per pull request, found by its marker and edited.
if [ -n "$pr" ] && [ "$comment" = true ]; then
  if [ -z "${GITHUB_TOKEN:-}" ]; then
    warn "no GITHUB_TOKEN: the pull-request comment is left out (the step summary has the comparison)"
  else
    body_file=$(mktemp)
    response=$(mktemp)
    headers=$(mktemp)
    trap 'rm -f "$body_file" "$response" "$headers"' EXIT
    # The token goes to curl in a file, not on its command line (which other processes see).
    chmod 600 "$headers"
    printf 'Authorization: Bearer %s\nAccept: application/vnd.github+json\nX-GitHub-Api-Version: 2022-11-28\nContent-Type: application/json\n' "$GITHUB_TOKEN" >"$headers"
    # The comment as the API's JSON: the marker, then baseline.md (or the first-build note),
    # within GitHub's 65,536-character limit.
    node -e '
      const fs = require("fs");
      const [marker, md, note, target] = process.argv.slice(1);
      let text = fs.existsSync(md) ? fs.readFileSync(md, "utf8") : `# ce-report: no baseline yet\n\n${note}\n`;
      const limit = 65536 - marker.length - 200;
      if (text.length > limit) text = text.slice(0, text.lastIndexOf("\n", limit)) + "\n\n_Cut to fit GitHub’s comment size; the whole comparison is baseline.md in the built site._\n";
      fs.writeFileSync(target, JSON.stringify({ body: `${marker}\n${text}` }));
    ' "$marker" "$out/baseline.md" "$first_note" "$body_file"
    auth=(-H "@$headers")
    # The existing comment: the first whose body starts with the marker (100 a page).
    id=""
    page=1
    while [ -z "$id" ] && [ "$page" -le 50 ]; do
      status=$(curl -sS -o "$response" -w '%{http_code}' --max-time 30 "${auth[@]}" "$api/repos/$repo/issues/$pr/comments?per_page=100&page=$page") || status=000
      if [ "$status" != 200 ]; then
        warn "listing the comments of pull request #$pr answered HTTP $status; a new comment is posted"
        break
      fi
      found=$(node -e '
        const [file, marker] = process.argv.slice(1);
        const list = JSON.parse(require("fs").readFileSync(file, "utf8"));
        const c = Array.isArray(list) ? list.find((x) => typeof x.body === "string" && x.body.startsWith(marker)) : undefined;
        process.stdout.write(c ? String(c.id) : Array.isArray(list) && list.length === 100 ? "more" : "");
      ' "$response" "$marker")
      case "$found" in
        more) page=$((page + 1)) ;;
        "") break ;;
        *) id=$found ;;
      esac
    done
    if [ -n "$id" ]; then
      status=$(curl -sS -o "$response" -w '%{http_code}' --max-time 30 "${auth[@]}" -X PATCH --data-binary "@$body_file" "$api/repos/$repo/issues/comments/$id") || status=000
      what=updated
    else
      status=$(curl -sS -o "$response" -w '%{http_code}' --max-time 30 "${auth[@]}" -X POST --data-binary "@$body_file" "$api/repos/$repo/issues/$pr/comments") || status=000
      what=posted
    fi
    case "$status" in
      200 | 201)
        id=$(json_field "$response" id)
        output comment-id "$id"
        echo "ce-report: $what the comment on pull request #$pr" >&2
        ;;
      # A pull request from a fork gets a read-only token: the step summary still has it.
      *) warn "the pull-request comment could not be $what (HTTP $status); the step summary has the comparison" ;;
    esac
  fi
fi

exit "$code"
