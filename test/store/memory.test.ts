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
});
