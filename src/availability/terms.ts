/**
 * What the config promises each customer about availability: the tier's
 * target and credit bands (a customer may override either), the customer's
 * zone (else `availability.timezone`) and monthly fee.
 */
import type { Config, Customer } from '../config/schema.js';
import type { ScopeNames } from './incident-log.js';
import type { CustomerTerms } from './statement.js';

export function customerTerms(config: Config, customer: Customer): CustomerTerms {
  const tier = config.tiers[customer.tier]?.availability;
  const own = customer.availability;
  const target = own?.target ?? tier?.target ?? null;
  return {
    id: customer.id,
    tier: customer.tier,
    ...(customer.region ? { region: customer.region } : {}),
    timezone: customer.timezone ?? config.availability.timezone,
    target,
    credits: own?.credits ?? tier?.credits ?? [],
    fee: customer.monthlyFee ?? null,
  };
}

export function allCustomerTerms(config: Config): CustomerTerms[] {
  return config.customers.map((customer) => customerTerms(config, customer));
}

/** The names an incident's scope may use: configured customers, their regions, the tiers. */
export function scopeNames(config: Config): ScopeNames {
  return {
    customers: new Set(config.customers.map((c) => c.id)),
    regions: new Set(config.customers.flatMap((c) => (c.region ? [c.region] : []))),
    tiers: new Set(Object.keys(config.tiers)),
  };
}
