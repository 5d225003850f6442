/**
 * Which countries and regions date-holidays knows, so a calendar's
 * `holidays.country` / `holidays.region` is checked when the config loads
 * (with its path and line) rather than when a calendar is first built.
 */
import Holidays from 'date-holidays';

let catalog: Holidays | undefined;

/** The problem with a country/region pair, or undefined when date-holidays knows it. `region` is matched case-insensitively. */
export function holidayRegionProblem(country: string, region: string | undefined): { field: 'country' | 'region'; message: string } | undefined {
  catalog ??= new Holidays();
  if (!(country in catalog.getCountries())) return { field: 'country', message: `unknown country "${country}" (date-holidays has no public holidays for it)` };
  // date-holidays calls the first subdivision level a "state" (e.g. DE/BY, US/CA).
  if (region && !(region.toUpperCase() in (catalog.getStates(country) ?? {}))) return { field: 'region', message: `unknown region "${region}" of country ${country}` };
  return undefined;
}
