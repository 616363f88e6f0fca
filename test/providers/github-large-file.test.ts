import { expect, it } from 'vitest';
import { startGitHubDouble } from '../doubles/github-api';
import { gitFixture } from '../support/git';
import { githubProviderOn } from '../support/hosts';

it('reads a 20 MB file through the blob API (the contents API leaves it out), whole', async () => {
  const text = `${'# twenty megabytes of generated YAML, read back whole\n'.repeat(400_000)}end\n`;
  const fx = gitFixture({ 'big.yaml': text });
  const api = await startGitHubDouble(fx.remote);
  try {
    const provider = githubProviderOn(api, { writeIntervalMs: 0 });
    expect(await provider.readFile('big.yaml', 'main')).toBe(text);
    expect(api.requestsTo('GET', /\/git\/blobs\//)).toHaveLength(1);
  } finally {
    await api.close();
  }
});
