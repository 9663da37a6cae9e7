import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { feed, feedInstant } from '../server/dashboard-feed.js';
import { AlertComment } from './alert-comment.entity.js';
import { AlertRule } from './alert-rule.entity.js';
import { Alert } from './alert.entity.js';
import { ALERT_ERROR_CODES } from './alert.errors.js';
import { alertRaisedTopic } from './alert.events.js';
import { AlertService } from './alert.service.js';
import { AlertEngine } from './alert-engine.js';
import { AlertLifecycleService } from './alert-lifecycle.service.js';
import { AlertRuleService } from './alert-rule.service.js';

export const alertsModule = defineModule({
  name: 'alerts',
  entities: [AlertRule, Alert, AlertComment],
  services: ({ db, bus, log, onClose }, { audit }: { audit: AuditService }) => {
    const alertLifecycle = new AlertLifecycleService(db, bus, (err) => log.error({ err }, 'machine status upkeep after an alert transition failed'));
    const alertEngine = new AlertEngine(db, bus, alertLifecycle, (err) => log.error({ err }, 'alert evaluation failed (readings are stored)'));
    onClose(() => alertEngine.close());
    return {
      alertLifecycle,
      alertEngine,
      alertRules: new AlertRuleService(db, bus, audit, alertLifecycle),
      alerts: new AlertService(db, bus, audit),
    };
  },
  topics: ['alertRaised', 'alertUpdated', 'alertRulesChanged'],
  feeds: [
    // websocket.md's `alert` message, field for field
    feed(alertRaisedTopic, (a) => [
      {
        type: 'alert',
        alert_id: a.id,
        machine_id: a.machineId,
        severity: a.severity,
        message: a.message,
        metric_value: a.metricValue,
        threshold_value: a.thresholdValue,
        created_at: feedInstant(a.createdAt),
      },
    ]),
  ],
  errors: ALERT_ERROR_CODES,
});
