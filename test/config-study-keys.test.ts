// Unknown keys inside a study: the schema's alternatives for the other study kinds must
// not decide the message (they call the study's own valid keys unknown).
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config.js';

const experiment = { kind: 'experiment', baseline: 'a', candidate: 'b', metric: 'max(p)' };

describe('unknown keys in studies', () => {
  it('a typo in an experiment names that key and suggests the right one', () => {
    expect(() => validateConfig({ studies: [{ ...experiment, metrc: 'x' }] }, 'c.json')).toThrow('c.json: unknown key "metrc" in /studies/0; did you mean "metric"?');
  });

  it('a typo inside split names the key inside split', () => {
    const split = { label: 'version', baseline: 'stable', candiate: 'canary' };
    expect(() => validateConfig({ studies: [{ ...experiment, split }] }, 'c.json')).toThrow('c.json: unknown key "candiate" in /studies/0/split; did you mean "candidate"?');
  });

  it('a valid split is accepted', () => {
    const split = { label: 'version', baseline: 'stable', candidate: 'canary' };
    expect(validateConfig({ studies: [{ ...experiment, split }] }, 'c.json').studies).toHaveLength(1);
  });

  it('a missing key or an unknown kind is said as such, not as another kind\'s complaint', () => {
    expect(() => validateConfig({ studies: [{ kind: 'experiment', baseline: 'a' }] }, 'c.json')).toThrow("c.json: /studies/0 must have required property 'candidate'");
    expect(() => validateConfig({ studies: [{ ...experiment, kind: 'experimnt' }] }, 'c.json')).toThrow('c.json: /studies/0/kind: unknown study kind "experimnt" (known: peak-vs-sustained, scaling, experiment, failures)');
  });
});
