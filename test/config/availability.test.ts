import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_PATH, loadConfigFile, parseConfig } from '../../src/config/load.js';
import { problemsOf } from '../helpers/config-problems.js';
import { allCustomerTerms, scopeNames } from '../../src/availability/terms.js';

const BASE = `customers:
  - id: acme
    name: Acme Corp
    tier: enterprise
    region: eu
    monthlyFee: { amount: 5000, currency: USD }
  - id: globex
    name: Globex
    tier: enterprise
    timezone: Asia/Shanghai
    availability: { target: 99.5 }
tiers:
  enterprise:
    targets: { default: { firstResponse: 1h } }
    availability:
      target: 99.9
      credits:
        - { below: 99.9, percent: 10 }
        - { below: 99.0, percent: 25 }
        - { below: 95.0, percent: 100 }
  standard:
    targets: { default: { firstResponse: 4h } }
`;

describe('availability config', () => {
  it('resolves each customer’s terms: the tier’s, overridden key by key, the zone defaulting to availability.timezone', () => {
    const config = parseConfig(`${BASE}availability: { timezone: Europe/Berlin, maintenanceNotice: 72h }\n`);
    expect(config.availability.maintenanceNotice).toBe(72 * 3_600_000);
    const bands = [
      { below: 99.9, percent: 10 },
      { below: 99.0, percent: 25 },
      { below: 95.0, percent: 100 },
    ];
    expect(allCustomerTerms(config)).toEqual([
      { id: 'acme', tier: 'enterprise', region: 'eu', timezone: 'Europe/Berlin', target: 99.9, credits: bands, fee: { amount: 5000, currency: 'USD' } },
      { id: 'globex', tier: 'enterprise', timezone: 'Asia/Shanghai', target: 99.5, credits: bands, fee: null },
    ]);
    expect(scopeNames(config)).toEqual({ customers: new Set(['acme', 'globex']), regions: new Set(['eu']), tiers: new Set(['enterprise', 'standard']) });
  });

  it('defaults: UTC, 48 h notice, the statement at 09:00 on the 1st, the labels region/customer/tier', () => {
    const config = parseConfig(BASE);
    expect(config.availability).toEqual({
      timezone: 'UTC',
      maintenanceNotice: 48 * 3_600_000,
      statement: { cron: '0 9 1 * *' },
      alertLabels: { region: 'region', customer: 'customer', tier: 'tier' },
    });
    expect(allCustomerTerms(config)[0]?.timezone).toBe('UTC');
  });

  it('a tier without availability gives no target and no credit', () => {
    const config = parseConfig(`${BASE.replace('tier: enterprise\n    region: eu', 'tier: standard\n    region: eu')}`);
    expect(allCustomerTerms(config)[0]).toMatchObject({ target: null, credits: [] });
  });

  it('names path and line of a band list out of order', () => {
    const bad = BASE.replace('- { below: 99.0, percent: 25 }', '- { below: 99.95, percent: 25 }');
    expect(problemsOf(bad)).toEqual(['tiers.enterprise.availability.credits[1].below: credit bands go from the highest "below" to the lowest (99.95 after 99.9) (line 19)']);
  });

  it('names path and line of a band giving less for worse availability', () => {
    const bad = BASE.replace('- { below: 95.0, percent: 100 }', '- { below: 95.0, percent: 20 }');
    expect(problemsOf(bad)).toEqual(['tiers.enterprise.availability.credits[2].percent: a lower band cannot give a smaller credit (20 % after 25 %) (line 20)']);
  });

  it('names path and line of a percent over 100, a target over 100, a bad currency, a bad zone', () => {
    const bad = BASE.replace('percent: 100 }', 'percent: 150 }')
      .replace('target: 99.5', 'target: 100.5')
      .replace('currency: USD', 'currency: dollars')
      .replace('timezone: Asia/Shanghai', 'timezone: Asia/Atlantis');
    expect(problemsOf(bad)).toEqual([
      'customers[0].monthlyFee.currency: expected a currency code such as USD (line 6)',
      'customers[1].timezone: unknown time zone "Asia/Atlantis" (line 10)',
      'customers[1].availability.target: a percentage is at most 100 (line 11)',
      'tiers.enterprise.availability.credits[2].percent: a credit is at most 100 % of the fee (line 20)',
    ]);
  });

  it('names path and line of an unknown key under availability', () => {
    expect(problemsOf(`${BASE}availability:\n  maintenanceNotise: 48h\n`)).toEqual(['availability: unknown key "maintenanceNotise" (line 24)']);
  });

  it('the bundled example gives every tier 99.9 % with the 10/25/100 bands, and a customer a region and a fee', async () => {
    const config = await loadConfigFile(EXAMPLE_CONFIG_PATH);
    for (const tier of Object.values(config.tiers)) {
      expect(tier.availability).toEqual({
        target: 99.9,
        credits: [
          { below: 99.9, percent: 10 },
          { below: 99.0, percent: 25 },
          { below: 95.0, percent: 100 },
        ],
      });
    }
    expect(config.customers.find((c) => c.id === 'acme')).toMatchObject({ region: 'eu', monthlyFee: { amount: 5000, currency: 'USD' } });
  });
});
