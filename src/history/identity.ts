// Which commit and branch a build is of: GitHub Actions' variables when set (on a pull
// request GITHUB_HEAD_REF is the branch; GITHUB_REF_NAME is "N/merge" there), else git in
// the working folder, else unknown.
import { execFileSync } from 'node:child_process';

function git(args: string[], cwd: string): string | null {
  try {
    const out = execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000, encoding: 'utf8' }).trim();
    return out === '' ? null : out;
  } catch {
    return null;
  }
}

export interface BuildIdentity {
  commit: string | null;
  branch: string | null;
}

export function buildIdentity(cwd: string, env: NodeJS.ProcessEnv = process.env): BuildIdentity {
  const envCommit = env.GITHUB_SHA?.trim();
  const commit = envCommit && /^[0-9a-f]{7,64}$/i.test(envCommit) ? envCommit.toLowerCase() : envCommit ? null : git(['rev-parse', 'HEAD'], cwd);
  const envBranch = (env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME)?.trim();
  let branch = envBranch || (envCommit ? null : git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd));
  if (branch === 'HEAD') branch = null;
  return { commit, branch: branch ? branch.slice(0, 200) : null };
}
