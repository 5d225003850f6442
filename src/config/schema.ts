/**
 * The shape of slawatch.yaml. Parsing turns durations into milliseconds, fills
 * defaults, and checks every cross-reference (tiers, people, calendars,
 * schedules, policies) so the rest of the code can trust the config it gets.
 */
import { z } from 'zod';
import { PLATFORMS } from '../domain/ticket.js';
import { minutesOfDay } from '../domain/time.js';
import { ALWAYS_OPEN_CALENDAR, SEVERITIES, TARGET_PATTERN, WEEKDAYS } from '../domain/vocabulary.js';
import { DURATION_PATTERN, parseDuration } from './duration.js';
import { holidayRegionProblem } from './holidays.js';
import { LOCALES } from '../i18n/index.js';

// The config speaks the domain's vocabulary; whoever reads a config finds it here too.
export { ALWAYS_OPEN_CALENDAR, CLOCK_KINDS, SEVERITIES, TARGET_PATTERN, WEEKDAYS, type ClockKind, type Severity, type Weekday } from '../domain/vocabulary.js';

const id = z.string().min(1).regex(/^[A-Za-z0-9][\w.-]*$/, 'ids use letters, digits, ".", "_" and "-"');

const duration = z
  .string({ error: 'expected a duration such as 30s, 15m, 4h or 2d' })
  .regex(new RegExp(DURATION_PATTERN), 'expected a duration such as 30s, 15m, 4h or 2d')
  .transform((text) => parseDuration(text) as number)
  .refine((ms) => ms > 0, 'a duration must be longer than zero');

const timezone = z.string().refine(isValidTimeZone, { error: (issue) => `unknown time zone "${String(issue.input)}"` });

/** A locale slawatch has a message catalogue for (src/i18n/locales). */
const locale = z.enum(LOCALES as [string, ...string[]], { error: (issue) => `no messages in "${String(issue.input)}" (locales: ${LOCALES.join(', ')})` });

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a wall-clock time "HH:MM"');
const hourRange = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected a range "HH:MM-HH:MM" ("24:00" may end it)')
  .refine((text) => {
    const [from, to] = text.split('-') as [string, string];
    return minutesOfDay(from) < minutesOfDay(to);
  }, 'a range must end after it starts');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date "YYYY-MM-DD"');
const isoInstant = z
  .string()
  .refine((text) => /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text)), 'expected an ISO time with offset, e.g. 2026-03-10T12:00:00-04:00');

/** Feishu/Lark ids: a person's open id (ou_…), a group chat's id (oc_…). */
const larkOpenId = z.string().regex(/^ou_[A-Za-z0-9_-]+$/, 'a Feishu/Lark open id starts with ou_ (the app\'s open id of the person)');
const larkChatId = z.string().regex(/^oc_[A-Za-z0-9_-]+$/, 'a Feishu/Lark chat id starts with oc_');

const personSchema = z.strictObject({
  name: z.string().min(1),
  slack: z.string().optional(),
  discord: z.string().regex(/^\d+$/, 'a Discord id is a string of digits').optional(),
  lark: larkOpenId.optional(),
  /** The language and zone of what is addressed to this person (a DM, a command answer); default: staff.locale, staff.timezone. */
  locale: locale.optional(),
  timezone: timezone.optional(),
  /**
   * When this person works: a calendar (their hours and days off) and/or an
   * on-call schedule (they are on while on call in it). An account engineer
   * who is off is stood in for by on-call (src/escalation/ladder.ts).
   */
  calendar: id.optional(),
  schedule: id.optional(),
  /** Contact outside chat: `email:<person>` targets mail here; a phone (E.164) rides along in webhook bodies (an SMS gateway's). */
  email: z.email({ error: 'expected an e-mail address such as alice@example.com' }).optional(),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected a phone number in E.164 form, such as +4930123456').optional(),
  /** The PagerDuty service that pages this person (one of pagerduty.services, or any other name: see adapters/outbound): `pagerduty:<person>` in a ladder step pages them there. */
  pagerduty: id.optional(),
});

/**
 * A response target: a duration of working time, or `immediate` — the
 * deadline is the start itself (in the target's calendar: a start in closed
 * hours counts from the next opening), so the clock breaches at once unless
 * staff answer in the same instant, and the breach step fires at the start.
 */
const target = z.union([z.literal('immediate').transform(() => 0), duration], {
  error: 'expected a duration such as 30s, 15m, 4h or 2d, or "immediate"',
});

const targetsSchema = z.strictObject({
  firstResponse: target.optional(),
  nextResponse: target.optional(),
  resolution: target.optional(),
  calendar: id.optional(),
});

/** A monthly availability promise: a target and the service credit for missing it (see src/availability). */
const percent = z.number().gt(0, 'a percentage is more than 0').lte(100, 'a percentage is at most 100');
const creditBands = z
  .array(z.strictObject({ below: percent, percent: z.number().min(0, 'a credit is 0 % or more').max(100, 'a credit is at most 100 % of the fee') }))
  .superRefine((bands, ctx) => {
    bands.forEach((band, i) => {
      const before = bands[i - 1];
      if (!before) return;
      if (band.below >= before.below) ctx.addIssue({ code: 'custom', path: [i, 'below'], message: `credit bands go from the highest "below" to the lowest (${band.below} after ${before.below})` });
      else if (band.percent < before.percent) ctx.addIssue({ code: 'custom', path: [i, 'percent'], message: `a lower band cannot give a smaller credit (${band.percent} % after ${before.percent} %)` });
    });
  });
const availabilitySchema = z.strictObject({ target: percent, credits: creditBands.default([]) });

/**
 * A span counted in the customer's calendar: business days (`2bd`: the same
 * point of the working day, two open days later) or working time (`16h`).
 */
const span = z.union(
  [
    z
      .string()
      .regex(/^\d+bd$/)
      .transform((text) => ({ businessDays: Number(text.slice(0, -2)) }))
      .refine((s) => s.businessDays > 0, 'a span must be longer than zero'),
    duration.transform((ms) => ({ workingMs: ms })),
  ],
  { error: 'expected business days such as 2bd, working time such as 16h, or false' },
);

/** The customer's side of the loop (src/escalation/follow-ups.ts); each part can be turned off with `false`. */
const customerLoopShape = {
  /** While a ticket waits on the customer: a reminder in its thread after this long. */
  waitingReminder: z.union([z.literal(false), span]).optional(),
  /** While a ticket waits on the customer: resolved after this long (a reply reopens it). */
  autoResolve: z.union([z.literal(false), span]).optional(),
  /** A resolved ticket closes when its reopen window ends. */
  autoClose: z.boolean().optional(),
  /** A ticket opened while support is closed says when the clock starts and the first response is due. */
  supportHoursNote: z.boolean().optional(),
  /** On resolve, the customer is asked to rate the help (1–5). */
  satisfaction: z.boolean().optional(),
};

const tierSchema = z.strictObject({
  calendar: id.optional(),
  policy: id.optional(),
  availability: availabilitySchema.optional(),
  /** Overrides of `tickets` for this tier's customer loop (false turns a part off). */
  tickets: z.strictObject(customerLoopShape).optional(),
  targets: z
    .strictObject({
      default: targetsSchema.optional(),
      urgent: targetsSchema.optional(),
      high: targetsSchema.optional(),
      normal: targetsSchema.optional(),
      low: targetsSchema.optional(),
    })
    .default({}),
});

const platformChannels = z.strictObject({
  slack: z.array(z.string().min(1)).default([]),
  discord: z.array(z.string().regex(/^\d+$/, 'a Discord channel id is a string of digits')).default([]),
  lark: z.array(larkChatId).default([]),
  shell: z.array(z.string().min(1)).default([]),
});

const customerSchema = z.strictObject({
  id,
  name: z.string().min(1),
  tier: id,
  channels: platformChannels.default({ slack: [], discord: [], lark: [], shell: [] }),
  calendar: id.optional(),
  accountEngineer: id.optional(),
  policy: id.optional(),
  /** Availability: a free region id (incidents are scoped by it), the statement's zone, the fee credits are a share of. */
  region: id.optional(),
  timezone: timezone.optional(),
  /** The language the customer reads in their channels (default en); times show in `timezone` when it is set. */
  locale: locale.optional(),
  monthlyFee: z.strictObject({ amount: z.number().min(0), currency: z.string().regex(/^[A-Z]{3}$/, 'expected a currency code such as USD') }).optional(),
  /** Overrides the tier's availability, key by key. */
  availability: z.strictObject({ target: percent.optional(), credits: creditBands.optional() }).optional(),
});

const calendarSchema = z.strictObject({
  timezone,
  hours: z.partialRecord(z.enum(WEEKDAYS), z.array(hourRange)).default({}),
  holidays: z
    .strictObject({
      dates: z.array(isoDate).default([]),
      country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO country code such as DE').optional(),
      region: z.string().optional(),
    })
    .default({ dates: [] }),
});

const rotationSchema = z.strictObject({
  every: duration.refine((ms) => ms % 3_600_000 === 0, 'a rotation lasts whole hours, days or weeks'),
  handoff: clockTime.default('09:00'),
  start: isoDate,
});

const layerSchema = z.strictObject({
  name: z.string().optional(),
  users: z.array(id).min(1),
  rotation: rotationSchema,
  restrict: z
    .array(
      z.strictObject({
        days: z.array(z.enum(WEEKDAYS)).default([...WEEKDAYS]),
        hours: hourRange.default('00:00-24:00'),
      }),
    )
    .optional(),
});

const overrideSchema = z
  .strictObject({ user: id, start: isoInstant, end: isoInstant })
  .refine((o) => Date.parse(o.end) > Date.parse(o.start), { message: 'an override must end after it starts', path: ['end'] });

const scheduleSchema = z.strictObject({
  name: z.string().optional(),
  timezone,
  layers: z.array(layerSchema).min(1),
  overrides: z.array(overrideSchema).default([]),
});

const escalationTarget = z
  .string()
  .regex(TARGET_PATTERN, 'expected schedule:<id>, person:<id>, group:<id>, channel:<id>, pagerduty:<service>, webhook:<name> or email:<person or group>');

/** The name of an environment variable (where a secret is read from: never the config file). */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable, such as GOALERT_WEBHOOK_SECRET');

/**
 * A secret's value as the config may give it: `${NAME}` reads the environment variable NAME;
 * anything else is the secret itself (accepted, with a warning at start: it belongs in the environment).
 */
const secretValue = z.string().min(1);

/** A PagerDuty service: the Events API v2 integration's routing key, best from the environment. */
const pagerdutyServiceSchema = z.strictObject({
  /** Variable holding the routing (integration) key; default PAGERDUTY_ROUTING_KEY_<ID> (upper case, "-" and "." as "_"), then PAGERDUTY_ROUTING_KEY. */
  routingKeyEnv: envName.optional(),
  /** The key itself, or `${NAME}` to read it from the environment. */
  routingKey: secretValue.optional(),
  /** The severity PagerDuty shows (default by the ticket's severity: urgent critical, high error, normal warning, low info). */
  severity: z.enum(['critical', 'error', 'warning', 'info']).optional(),
});

/** A webhook receiver: JSON bodies signed with HMAC-SHA256 (see the README, "Pagers, webhooks and e-mail"). */
const webhookSchema = z
  .strictObject({
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
    /** Variable holding the signing secret (preferred). */
    secretEnv: envName.optional(),
    /** The signing secret, or `${NAME}` to read it from the environment. */
    secret: secretValue.optional(),
    /** How long one attempt may take (default 5s, at most half of notifications.sendLease). */
    timeout: duration.optional(),
  })
  .refine((hook) => (hook.secretEnv === undefined) !== (hook.secret === undefined), {
    message: 'a webhook needs its signing secret: secretEnv (the variable that holds it) or secret (${NAME} reads the variable NAME), not both',
  });

const policySchema = z.strictObject({
  warn: z.array(escalationTarget).default([]),
  levels: z.array(z.strictObject({ notify: z.array(escalationTarget).default([]), delay: duration.prefault('30m') })).min(1),
  repeat: z.number().int().min(0).max(20).default(0),
});

const fraction = z.number().gt(0).lt(1);

export const configSchema = z
  .strictObject({
    people: z.record(id, personSchema).default({}),
    staff: z
      .strictObject({
        people: z.array(id).default([]),
        slackGroups: z.array(z.string()).default([]),
        discordRoles: z.array(z.string().regex(/^\d+$/, 'a Discord role id is a string of digits')).default([]),
        /** Treat members of other Slack workspaces (Slack Connect) as customers when nothing else says. */
        slackTeam: z.string().optional(),
        /** Feishu/Lark: the tenant key of the staff's own organisation; its members are staff, members of other tenants customers. */
        larkTenant: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a tenant key is letters, digits, "_" and "-" (the tenant_key of an event)').optional(),
        channels: z
          .strictObject({ slack: z.string().optional(), discord: z.string().optional(), lark: larkChatId.optional(), shell: z.string().default('staff') })
          .default({ shell: 'staff' }),
        dm: z.boolean().default(false),
        /** The language and zone of the staff channels (pings, announcements, the digest); default en, and each time in the zone it belongs to. */
        locale: locale.optional(),
        timezone: timezone.optional(),
      })
      .default({ people: [], slackGroups: [], discordRoles: [], channels: { shell: 'staff' }, dm: false }),
    customers: z.array(customerSchema).default([]),
    tiers: z.record(id, tierSchema),
    calendars: z.record(id, calendarSchema).default({}),
    schedules: z.record(id, scheduleSchema).default({}),
    escalation: z
      .strictObject({
        warnAt: z.array(fraction).default([0.5, 0.75, 0.9]),
        policies: z.record(id, policySchema).default({}),
      })
      .default({ warnAt: [0.5, 0.75, 0.9], policies: {} }),
    tickets: z
      .strictObject({
        groupingWindow: duration.prefault('10m'),
        reopenWindow: duration.prefault('7d'),
        defaultSeverity: z.enum(SEVERITIES).default('normal'),
        waitingReminder: customerLoopShape.waitingReminder.unwrap().default(false),
        autoResolve: customerLoopShape.autoResolve.unwrap().default(false),
        autoClose: z.boolean().default(true),
        supportHoursNote: z.boolean().default(true),
        satisfaction: z.boolean().default(true),
      })
      .prefault({}),
    /** PagerDuty Events API v2 services that `pagerduty:<service>` targets page. */
    pagerduty: z.strictObject({ services: z.record(id, pagerdutyServiceSchema).default({}) }).prefault({}),
    /** Webhook receivers that `webhook:<name>` targets post to. */
    webhooks: z.record(id, webhookSchema).default({}),
    /** E-mail: the sender, and groups `email:<group>` targets mail (people by id, or addresses). */
    email: z
      .strictObject({
        from: z.string().min(1).default('slawatch <slawatch@localhost>'),
        groups: z.record(id, z.array(z.string().min(1)).min(1)).default({}),
      })
      .prefault({}),
    notifications: z
      .strictObject({
        /** Pings for one channel that come due within this window are sent as one message. */
        coalesceWindow: duration.prefault('2s'),
        /** How long a send belongs to the process that started it before another may take it over. */
        sendLease: duration.prefault('10s'),
        /** A failed send is tried again after this, then twice as long each time, up to 5 minutes. */
        retryAfter: duration.prefault('15s'),
      })
      .prefault({}),
    announcements: z
      .strictObject({
        handoffs: z.strictObject({ schedules: z.array(id).default([]), channel: z.string().optional() }).optional(),
      })
      .default({}),
    /** The weekly SLA digest posted to the staff channel (see src/report/digest.ts and src/service/digest-card.ts). */
    digest: z
      .strictObject({
        cron: z
          .string()
          .regex(/^\s*\S+(\s+\S+){4,5}\s*$/, 'expected a cron expression such as "0 9 * * 1" (5 or 6 fields)')
          .default('0 9 * * 1'),
        timezone: timezone.default('UTC'),
        /** Where to post it; default: the staff channel. */
        channel: z.string().optional(),
      })
      .optional(),
    /** Incidents, maintenance and the monthly availability statement (see src/availability). */
    availability: z
      .strictObject({
        /** Zone of the statement's months for customers without their own, and of the monthly statement job. */
        timezone: timezone.default('UTC'),
        /** Maintenance announced at least this long ahead is excluded from the month. */
        maintenanceNotice: duration.prefault('48h'),
        /** When the statement for the month just ended is posted (cron, in `timezone`). */
        statement: z
          .strictObject({
            cron: z
              .string()
              .regex(/^\s*\S+(\s+\S+){4,5}\s*$/, 'expected a cron expression such as "0 9 1 * *" (5 or 6 fields)')
              .default('0 9 1 * *'),
            /** Where to post it; default: the staff channel. */
            channel: z.string().optional(),
          })
          .prefault({}),
        /** The Alertmanager labels that scope an incident opened by an alert. */
        alertLabels: z
          .strictObject({ region: z.string().min(1).default('region'), customer: z.string().min(1).default('customer'), tier: z.string().min(1).default('tier') })
          .prefault({}),
      })
      .prefault({}),
    /** Reading the bound channels again from their cursors while running (src/app/catch-up.ts). */
    catchUp: z
      .strictObject({
        /** Between safety-net passes over every bound channel; "off" for none (the pass after a store outage still runs). */
        interval: z.union([z.literal('off').transform(() => 0), duration], { error: 'expected a duration such as 10m, or "off"' }).prefault('10m'),
        /** After a store outage, channels are read from this long before it began. */
        overlap: duration.prefault('5m'),
      })
      .prefault({}),
    store: z
      .strictObject({
        backend: z.enum(['sqlite', 'redis', 'memory']).default('sqlite'),
        path: z.string().default('./data/slawatch.sqlite'),
        url: z.string().optional(),
        /** Redis only: every key starts with "<prefix>:", so several deployments can share one Redis (default slawatch). */
        prefix: id.optional(),
        /** Redis only: how long a ticket lock outlives a replica that died holding it (default 5s). */
        lockTtl: duration.optional(),
      })
      .default({ backend: 'sqlite', path: './data/slawatch.sqlite' }),
  })
  .superRefine((config, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const people = new Set(Object.keys(config.people));
    const tiers = new Set(Object.keys(config.tiers));
    const calendars = new Set([ALWAYS_OPEN_CALENDAR, ...Object.keys(config.calendars)]);
    const schedules = new Set(Object.keys(config.schedules));
    const policies = new Set(['default', ...Object.keys(config.escalation.policies)]);

    for (const [personId, person] of Object.entries(config.people)) {
      if (person.calendar && !calendars.has(person.calendar)) issue(['people', personId, 'calendar'], `unknown calendar "${person.calendar}"`);
      if (person.schedule && !schedules.has(person.schedule)) issue(['people', personId, 'schedule'], `unknown schedule "${person.schedule}"`);
    }
    for (const [groupId, members] of Object.entries(config.email.groups)) {
      members.forEach((member, i) => {
        if (member.includes('@')) return;
        if (!people.has(member)) issue(['email', 'groups', groupId, i], `unknown person "${member}" (a group lists person ids or e-mail addresses)`);
        else if (!config.people[member]?.email) issue(['email', 'groups', groupId, i], `person "${member}" has no email (people.${member}.email)`);
      });
    }
    config.staff.people.forEach((p, i) => {
      if (!people.has(p)) issue(['staff', 'people', i], `unknown person "${p}"`);
    });
    const seenCustomers = new Set<string>();
    const seenChannels = new Map<string, string>();
    /** Customer channel id (on any platform) → its customer. */
    const customerChannels = new Map<string, string>();
    config.customers.forEach((c, i) => {
      if (seenCustomers.has(c.id)) issue(['customers', i, 'id'], `duplicate customer id "${c.id}"`);
      seenCustomers.add(c.id);
      if (!tiers.has(c.tier)) issue(['customers', i, 'tier'], `unknown tier "${c.tier}"`);
      if (c.calendar && !calendars.has(c.calendar)) issue(['customers', i, 'calendar'], `unknown calendar "${c.calendar}"`);
      if (c.accountEngineer && !people.has(c.accountEngineer)) {
        issue(['customers', i, 'accountEngineer'], `unknown person "${c.accountEngineer}"`);
      }
      if (c.policy && !policies.has(c.policy)) issue(['customers', i, 'policy'], `unknown escalation policy "${c.policy}"`);
      for (const platform of PLATFORMS) {
        c.channels[platform].forEach((channel, j) => {
          const key = `${platform}:${channel}`;
          const owner = seenChannels.get(key);
          if (owner && owner !== c.id) issue(['customers', i, 'channels', platform, j], `channel "${channel}" is already bound to customer "${owner}"`);
          seenChannels.set(key, c.id);
          if (!customerChannels.has(channel)) customerChannels.set(channel, c.id);
        });
      }
    });
    // Pings go to the staff channel: one that is also a customer's would show them to the customer.
    for (const platform of PLATFORMS) {
      const staffChannel = config.staff.channels[platform];
      if (staffChannel === undefined) continue;
      config.customers.forEach((c, i) =>
        c.channels[platform].forEach((channel, j) => {
          if (channel === staffChannel) {
            issue(['customers', i, 'channels', platform, j], `channel "${channel}" is the staff channel (staff.channels.${platform}); staff pings would reach the customer`);
          }
        }),
      );
    }
    for (const [calendarId, calendar] of Object.entries(config.calendars)) {
      const { country, region } = calendar.holidays;
      if (country === undefined) {
        if (region !== undefined) issue(['calendars', calendarId, 'holidays', 'region'], 'a region needs its "country"');
        continue;
      }
      const problem = holidayRegionProblem(country, region);
      if (problem) issue(['calendars', calendarId, 'holidays', problem.field], problem.message);
    }
    for (const [tierId, tier] of Object.entries(config.tiers)) {
      if (tier.calendar && !calendars.has(tier.calendar)) issue(['tiers', tierId, 'calendar'], `unknown calendar "${tier.calendar}"`);
      if (tier.policy && !policies.has(tier.policy)) issue(['tiers', tierId, 'policy'], `unknown escalation policy "${tier.policy}"`);
      for (const [key, targets] of Object.entries(tier.targets)) {
        if (targets?.calendar && !calendars.has(targets.calendar)) {
          issue(['tiers', tierId, 'targets', key, 'calendar'], `unknown calendar "${targets.calendar}"`);
        }
      }
    }
    for (const [scheduleId, schedule] of Object.entries(config.schedules)) {
      schedule.layers.forEach((layer, i) =>
        layer.users.forEach((u, j) => {
          if (!people.has(u)) issue(['schedules', scheduleId, 'layers', i, 'users', j], `unknown person "${u}"`);
        }),
      );
      schedule.overrides.forEach((o, i) => {
        if (!people.has(o.user)) issue(['schedules', scheduleId, 'overrides', i, 'user'], `unknown person "${o.user}"`);
      });
    }
    // Staff messages (pings, announcements) go to channels of every platform, by id: one that is a customer's would reach the customer.
    const notCustomers = (channel: string | undefined, path: (string | number)[], what: string) => {
      const owner = channel === undefined ? undefined : customerChannels.get(channel);
      if (owner) issue(path, `channel "${channel}" is customer "${owner}"'s channel; ${what} would reach the customer`);
    };
    const checkTarget = (target: string, path: (string | number)[]) => {
      const [, kind, ref] = TARGET_PATTERN.exec(target) ?? [];
      if (kind === 'schedule' && !schedules.has(ref!)) issue(path, `unknown schedule "${ref}"`);
      if (kind === 'person' && !people.has(ref!)) issue(path, `unknown person "${ref}"`);
      if (kind === 'channel') notCustomers(ref, path, 'staff pings');
      // A PagerDuty service not declared under pagerduty.services is one of that name (adapters/outbound/index.ts).
      if (kind === 'pagerduty' && people.has(ref!) && !config.people[ref!]?.pagerduty && !config.pagerduty.services[ref!]) {
        issue(path, `person "${ref}" has no PagerDuty service (people.${ref}.pagerduty)`);
      }
      if (kind === 'webhook' && !config.webhooks[ref!]) issue(path, `unknown webhook "${ref}" (declare it under webhooks)`);
      if (kind === 'email') {
        const person = config.people[ref!];
        if (person && !person.email) issue(path, `person "${ref}" has no email (people.${ref}.email)`);
        else if (!person && !config.email.groups[ref!]) issue(path, `unknown person or e-mail group "${ref}"`);
      }
    };
    for (const [policyId, policy] of Object.entries(config.escalation.policies)) {
      policy.warn.forEach((t, i) => checkTarget(t, ['escalation', 'policies', policyId, 'warn', i]));
      policy.levels.forEach((level, i) =>
        level.notify.forEach((t, j) => checkTarget(t, ['escalation', 'policies', policyId, 'levels', i, 'notify', j])),
      );
    }
    const handoffs = config.announcements.handoffs;
    handoffs?.schedules.forEach((s, i) => {
      if (!schedules.has(s)) issue(['announcements', 'handoffs', 'schedules', i], `unknown schedule "${s}"`);
    });
    notCustomers(handoffs?.channel, ['announcements', 'handoffs', 'channel'], 'handoff announcements');
    notCustomers(config.digest?.channel, ['digest', 'channel'], 'the weekly digest');
    notCustomers(config.availability.statement.channel, ['availability', 'statement', 'channel'], 'the availability statement');
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type Person = Config['people'][string];
export type Customer = Config['customers'][number];
export type Tier = Config['tiers'][string];
export type Targets = z.output<typeof targetsSchema>;
export type CalendarSpec = Config['calendars'][string];
export type ScheduleSpec = Config['schedules'][string];
export type LayerSpec = ScheduleSpec['layers'][number];
export type PolicySpec = Config['escalation']['policies'][string];
export type AvailabilitySpec = z.output<typeof availabilitySchema>;

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
