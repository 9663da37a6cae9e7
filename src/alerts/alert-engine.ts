import { AUDIT_TOPIC } from '../audit/audit.events.js';
import type { Database } from '../infra/database.js';
import type { EventBus } from '../infra/event-bus.js';
import type { LiveReading } from '../readings/reading.events.js';
import type { AlertSeverity } from './alert-rule.entity.js';
import { alertRaisedTopic, alertRulesChangedTopic, alertUpdatedTopic } from './alert.events.js';
import { compileRule, evaluate, holds, newSeriesState, ruleApplies, type RuleFields, type RuleSpec, type SeriesState, type Transition } from './alert-evaluator.js';
import type { AlertLifecycleService, LifecycleRule } from './alert-lifecycle.service.js';

interface CompiledRule extends LifecycleRule {
  spec: RuleSpec;
  machineId: string | null;
  groupId: string | null;
  isEnabled: boolean;
}

/**
 * The enabled rules reading one metric, split by scope: a reading is checked against its machine's
 * own rules and the group and tenant-wide ones, not against every machine-scoped rule of the tenant
 * (with 1,000 rules that scan cost as much as the rest of ingestion). The bounds let most normal
 * readings skip them all.
 */
interface MetricRules {
  byMachine: Map<string, CompiledRule[]>;
  /** group-scoped and tenant-wide */
  anyMachine: CompiledRule[];
  /** whether a composite rule reads the metric (it keeps the latest value of every reading) */
  composite: boolean;
  /** lowest threshold of the `>`/`>=` simple rules: a value below it violates none of them */
  above: number;
  /** highest threshold of the `<`/`<=` simple rules */
  below: number;
  /** whether a simple rule compares by (in)equality, which no bound covers */
  equality: boolean;
}

const NO_RULES: readonly CompiledRule[] = [];

/** What one process knows of a tenant, loaded on its first batch and kept current by events. */
interface TenantState {
  byMetric: Map<string, MetricRules>;
  /** machine → its groups and their ancestors (loaded only when a rule is group-scoped) */
  groups: Map<string, Set<string>> | null;
  hasGroupRules: boolean;
  /**
   * machine → rule id → evaluation state. A state exists while a condition holds, while an alert
   * of the pair is active (loaded at start, then learnt from the bus), and for composite rules.
   */
  states: Map<string, Map<string, SeriesState>>;
  /** machine → metric → newest reading time evaluated */
  newest: Map<string, Map<string, number>>;
  unsubscribe: (() => void)[];
}

/** Evaluation states and series kept per process; past these, the oldest knowledge is dropped. */
const STATES_MAX = 500_000;
const SERIES_MAX = 1_000_000;
const NO_GROUPS: ReadonlySet<string> = new Set();


/**
 * Streaming evaluation of alert rules over the readings this process stores, called by ingestion
 * after the store acknowledged a batch (never by polling the database). Rules, active alerts and
 * group membership are cached per tenant: rule changes (`alertRulesChanged`), alert transitions
 * made by any process (`alertRaised`/`alertUpdated`) and group changes (audit events) reach every
 * instance through the bus and update or drop the cache.
 *
 * Evaluation state lives in the process that evaluates: the newest reading time per series and
 * since when a condition holds are judged from the readings this process stored. Transitions are
 * conditional statements on the alert row (see AlertLifecycleService), so processes that judge the
 * same readings produce one alert and one event.
 */
export class AlertEngine {
  private readonly tenants = new Map<string, Promise<TenantState>>();
  private statesSize = 0;
  private seriesSize = 0;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly lifecycle: AlertLifecycleService,
    private readonly onError: (err: unknown) => void,
  ) {
    bus.on(AUDIT_TOPIC, (e) => {
      if (e.resourceType !== 'machine_group') return;
      const t = this.tenants.get(e.tenantId);
      // membership is reloaded on the next batch of the tenant
      t?.then((s) => (s.groups = null), () => undefined);
    });
  }

  /** Evaluates a stored batch of one tenant; transitions are written before this resolves. */
  async readingsStored(tenantId: string, readings: readonly LiveReading[]): Promise<void> {
    const t = await this.tenant(tenantId);
    if (t.byMetric.size === 0) return;
    if (t.hasGroupRules && t.groups === null) t.groups = await this.loadGroups(tenantId);
    // Per series in reading-time order: a batch is mostly in order already, so it is sorted only when not.
    let ordered = readings;
    for (let i = 1; i < readings.length; i++) {
      if (readings[i]!.timestamp.getTime() < readings[i - 1]!.timestamp.getTime()) {
        ordered = [...readings].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
        break;
      }
    }
    const work: Promise<void>[] = [];
    for (const r of ordered) {
      const rules = t.byMetric.get(r.metric);
      if (!rules) continue;
      const time = r.timestamp.getTime();
      let series = t.newest.get(r.machineId);
      if (!series) {
        if (this.seriesSize >= SERIES_MAX) this.dropSeries();
        t.newest.set(r.machineId, (series = new Map()));
      }
      const newest = series.get(r.metric);
      if (newest !== undefined && time <= newest) continue;
      if (newest === undefined) this.seriesSize++;
      series.set(r.metric, time);
      let machineStates = t.states.get(r.machineId);
      // The common case: a normal value, no alert of the machine active, no condition being timed.
      if (!machineStates && !rules.composite && !rules.equality && r.value < rules.above && r.value > rules.below) continue;
      const groups = t.groups?.get(r.machineId) ?? NO_GROUPS;
      for (const list of [rules.byMachine.get(r.machineId) ?? NO_RULES, rules.anyMachine]) {
        for (const rule of list) {
          if (!ruleApplies(rule, r.machineId, groups)) continue;
          let state = machineStates?.get(rule.id);
          if (!state) {
            if (rule.spec.kind === 'simple' && !violates(rule.spec, r.value)) continue;
            if (!machineStates) t.states.set(r.machineId, (machineStates = new Map()));
            state = this.addState(machineStates, rule.id, null);
          }
          const before = state.active;
          const transition = evaluate(rule.spec, state, { metric: r.metric, value: r.value, time });
          if (transition) work.push(this.apply(tenantId, rule, r, state, before, transition));
          else if (rule.spec.kind === 'simple' && state.active === null && state.warningSince === null && state.criticalSince === null) {
            this.removeState(t, r.machineId, machineStates!, rule.id);
            machineStates = t.states.get(r.machineId);
          }
        }
      }
    }
    if (work.length > 0) await Promise.all(work);
  }

  private async apply(tenantId: string, rule: CompiledRule, r: LiveReading, state: SeriesState, before: AlertSeverity | null, tr: Transition): Promise<void> {
    try {
      if (tr.kind === 'resolve') {
        await this.lifecycle.resolve(tenantId, rule.id, r.machineId);
        return;
      }
      const trip = { severity: tr.severity, metricName: tr.metric, operator: tr.operator, metricValue: tr.value, thresholdValue: tr.threshold, unit: r.unit };
      if (tr.kind === 'open') {
        const opened = await this.lifecycle.open(tenantId, rule, r.machineId, trip);
        // Already active (another process opened it): raising it is still ours to do if it is less severe.
        if (!opened) await this.lifecycle.escalate(tenantId, rule, r.machineId, trip);
      } else {
        await this.lifecycle.escalate(tenantId, rule, r.machineId, trip);
      }
    } catch (err) {
      // The next reading judges again from where the database still is.
      state.active = before;
      this.onError(err);
    }
  }

  private addState(machineStates: Map<string, SeriesState>, ruleId: string, active: AlertSeverity | null): SeriesState {
    if (this.statesSize >= STATES_MAX) this.dropIdleStates();
    const state = newSeriesState(active);
    machineStates.set(ruleId, state);
    this.statesSize++;
    return state;
  }

  private removeState(t: TenantState, machineId: string, machineStates: Map<string, SeriesState>, ruleId: string): void {
    if (!machineStates.delete(ruleId)) return;
    this.statesSize--;
    if (machineStates.size === 0) t.states.delete(machineId);
  }

  /**
   * Past the cap, conditions being timed are forgotten (their duration starts again); states of
   * active alerts are kept, or those alerts could not resolve on this process.
   */
  private dropIdleStates(): void {
    for (const p of this.tenants.values()) {
      p.then((t) => {
        for (const [machineId, m] of t.states) {
          for (const [ruleId, st] of m) if (st.active === null) this.removeState(t, machineId, m, ruleId);
        }
      }, () => undefined);
    }
  }

  private dropSeries(): void {
    for (const p of this.tenants.values()) p.then((t) => t.newest.clear(), () => undefined);
    this.seriesSize = 0;
  }

  private tenant(tenantId: string): Promise<TenantState> {
    let p = this.tenants.get(tenantId);
    if (!p) {
      p = this.load(tenantId);
      this.tenants.set(tenantId, p);
      // a failed load is retried by the next batch
      p.catch(() => {
        if (this.tenants.get(tenantId) === p) this.tenants.delete(tenantId);
      });
    }
    return p;
  }

  private async load(tenantId: string): Promise<TenantState> {
    const state: TenantState = { byMetric: new Map(), groups: null, hasGroupRules: false, states: new Map(), newest: new Map(), unsubscribe: [] };
    /** Records what the database says of a (rule, machine) alert, whichever process changed it. */
    const learn = (ruleId: string | null, machineId: string, active: AlertSeverity | null) => {
      if (!ruleId) return;
      let m = state.states.get(machineId);
      const st = m?.get(ruleId);
      if (st) st.active = active;
      else if (active !== null) {
        if (!m) state.states.set(machineId, (m = new Map()));
        this.addState(m, ruleId, active);
      }
    };
    // Subscribed before reading, so a change committed meanwhile is not missed.
    state.unsubscribe.push(
      this.bus.on(alertRulesChangedTopic(tenantId), (e) => this.rulesChanged(tenantId, state, e.ruleId)),
      this.bus.on(alertRaisedTopic(tenantId), (a) => learn(a.ruleId, a.machineId, a.status === 'active' ? a.severity : null)),
      this.bus.on(alertUpdatedTopic(tenantId), (a) => learn(a.ruleId, a.machineId, a.status === 'active' ? a.severity : null)),
    );
    try {
      const rules: RuleRow[] = await this.db.query(
        `select id, name, message_template, machine_id, group_id, is_enabled, metric_name, operator, warning_threshold, critical_threshold,
                duration_seconds, deadband, conditions, logic, severity, window_seconds
           from alert_rules where tenant_id = ? and is_enabled`,
        [tenantId],
      );
      const active: { rule_id: string; machine_id: string; severity: AlertSeverity }[] = await this.db.query(
        `select rule_id, machine_id, severity from alerts where tenant_id = ? and status = 'active' and rule_id is not null`,
        [tenantId],
      );
      for (const a of active) learn(a.rule_id, a.machine_id, a.severity);
      for (const row of rules) {
        const rule = compiled(row);
        if (rule.groupId !== null) state.hasGroupRules = true;
        const spec = rule.spec;
        const metrics = spec.kind === 'simple' ? [spec.metric] : [...new Set(spec.conditions.map((c) => c.metric))];
        for (const metric of metrics) {
          let mr = state.byMetric.get(metric);
          if (!mr) state.byMetric.set(metric, (mr = { byMachine: new Map(), anyMachine: [], composite: false, above: Infinity, below: -Infinity, equality: false }));
          if (rule.machineId === null) mr.anyMachine.push(rule);
          else {
            const own = mr.byMachine.get(rule.machineId);
            if (own) own.push(rule);
            else mr.byMachine.set(rule.machineId, [rule]);
          }
          if (spec.kind === 'composite') {
            mr.composite = true;
            continue;
          }
          for (const th of [spec.warning, spec.critical]) {
            if (th === null) continue;
            if (spec.operator === '>' || spec.operator === '>=') mr.above = Math.min(mr.above, th);
            else if (spec.operator === '<' || spec.operator === '<=') mr.below = Math.max(mr.below, th);
            else mr.equality = true;
          }
        }
      }
      return state;
    } catch (err) {
      for (const u of state.unsubscribe) u();
      throw err;
    }
  }

  /**
   * A rule of the tenant changed: its rules are read again on the next batch. The evaluation of
   * the other rules goes on where it was (their states and the series move over); the changed
   * rule's states are dropped, except that active alerts are known again from the database.
   */
  private rulesChanged(tenantId: string, old: TenantState, ruleId: string): void {
    if (this.tenants.get(tenantId) === undefined) return;
    this.tenants.delete(tenantId);
    for (const u of old.unsubscribe) u();
    for (const [machineId, m] of old.states) if (m.has(ruleId)) this.removeState(old, machineId, m, ruleId);
    this.tenant(tenantId).then(
      (fresh) => {
        for (const m of old.states.values()) this.statesSize -= m.size;
        for (const [machineId, m] of old.states) {
          let into = fresh.states.get(machineId);
          for (const [id, st] of m) {
            // one loaded from the database after the event knows the alert better
            if (into?.has(id)) continue;
            if (!into) fresh.states.set(machineId, (into = new Map()));
            into.set(id, st);
            this.statesSize++;
          }
        }
        for (const [machineId, series] of old.newest) if (!fresh.newest.has(machineId)) fresh.newest.set(machineId, series);
      },
      () => undefined,
    );
  }

  /** Each machine's groups with all their ancestors, as membership is now. */
  private async loadGroups(tenantId: string): Promise<Map<string, Set<string>>> {
    const rows: { machine_id: string; group_id: string }[] = await this.db.query(
      `with recursive up(machine_id, group_id) as (
         select mm.machine_id, mm.group_id from machine_group_members mm where mm.tenant_id = ?
         union
         select up.machine_id, g.parent_id from up join machine_groups g on g.id = up.group_id where g.parent_id is not null
       ) select machine_id, group_id from up`,
      [tenantId],
    );
    const out = new Map<string, Set<string>>();
    for (const r of rows) {
      let s = out.get(r.machine_id);
      if (!s) out.set(r.machine_id, (s = new Set()));
      s.add(r.group_id);
    }
    return out;
  }

  /** Unsubscribes from the bus (shutdown). */
  async close(): Promise<void> {
    const all = [...this.tenants.values()];
    this.tenants.clear();
    for (const p of all) {
      try {
        for (const u of (await p).unsubscribe) u();
      } catch {
        // a tenant whose load failed holds no subscriptions
      }
    }
  }
}

interface RuleRow {
  id: string;
  name: string;
  message_template: string;
  machine_id: string | null;
  group_id: string | null;
  is_enabled: boolean;
  metric_name: string | null;
  operator: RuleFields['operator'];
  warning_threshold: number | null;
  critical_threshold: number | null;
  duration_seconds: number;
  deadband: number;
  conditions: RuleFields['conditions'] | string | null;
  logic: RuleFields['logic'];
  severity: RuleFields['severity'];
  window_seconds: number | null;
}

function compiled(row: RuleRow): CompiledRule {
  const num = (v: number | string | null) => (v === null ? null : Number(v));
  const fields: RuleFields = {
    machineId: row.machine_id,
    groupId: row.group_id,
    isEnabled: row.is_enabled,
    metricName: row.metric_name,
    operator: row.operator,
    warningThreshold: num(row.warning_threshold),
    criticalThreshold: num(row.critical_threshold),
    durationSeconds: Number(row.duration_seconds),
    deadband: Number(row.deadband),
    conditions: typeof row.conditions === 'string' ? JSON.parse(row.conditions) : row.conditions,
    logic: row.logic,
    severity: row.severity,
    windowSeconds: num(row.window_seconds),
  };
  return { id: row.id, name: row.name, messageTemplate: row.message_template, machineId: row.machine_id, groupId: row.group_id, isEnabled: row.is_enabled, spec: compileRule(fields) };
}

/** Whether a value violates either threshold of a simple rule (the only case that needs state). */
function violates(spec: Extract<RuleSpec, { kind: 'simple' }>, value: number): boolean {
  return (spec.warning !== null && holds(spec.operator, value, spec.warning)) || (spec.critical !== null && holds(spec.operator, value, spec.critical));
}
