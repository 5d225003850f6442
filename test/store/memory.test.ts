import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { runStoreContract } from './contract.js';

runStoreContract('memory', () => openStore({ backend: 'memory', path: 'unused' }));

describe('openStore', () => {
  it('starts each memory store empty', async () => {
    const a = await openStore({ backend: 'memory', path: 'unused' });
    const b = await openStore({ backend: 'memory', path: 'unused' });
    await a.setMeta('k', 'v');
    expect(await b.getMeta('k')).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses the redis backend until multi-replica support lands', async () => {
    await expect(openStore({ backend: 'redis', path: 'unused', url: 'redis://localhost:6379' })).rejects.toThrow(
      'the redis backend arrives with multi-replica support',
    );
  });
});
