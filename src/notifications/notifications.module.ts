import type { AlertService } from '../alerts/alert.service.js';
import { defineModule } from '../app/module.js';
import type { AuditService } from '../audit/audit.service.js';
import { secretBoxFor } from '../common/secret-box.js';
import type { MachineService } from '../machines/machine.service.js';
import { EscalationPolicy } from './escalation-policy.entity.js';
import { EscalationStep } from './escalation-step.entity.js';
import { EscalationPolicyService } from './escalation-policy.service.js';
import { NotificationChannel } from './notification-channel.entity.js';
import { NotificationChannelService } from './notification-channel.service.js';
import { NotificationDelivery } from './notification-delivery.entity.js';
import { NotificationDeliveryService } from './notification-delivery.service.js';
import { NOTIFICATION_ERROR_CODES } from './notification.errors.js';
import { PushSubscription } from './push-subscription.entity.js';
import { PushSubscriptionService } from './push-subscription.service.js';

/**
 * Notification channels, escalation policies and web push (the resources, src/notifications/*.service.ts).
 * Listed after `alerts` and `machines`: the delivery engine follows their alerts.
 */
export const notificationsModule = defineModule({
  name: 'notifications',
  entities: [NotificationChannel, EscalationPolicy, PushSubscription, NotificationDelivery, EscalationStep],
  services: ({ db, bus, jobs, config, log, onClose }, { audit }: { audit: AuditService; machines: MachineService; alerts: AlertService }) => {
    // the same key as device credentials (src/common/secret-box.ts); contexts name the row and the field
    const box = secretBoxFor({ secretKey: config.sources.secretKey, dataDir: config.dataDir });
    const notificationChannels = new NotificationChannelService(db, bus, audit, box, config);
    const escalationPolicies = new EscalationPolicyService(db, bus, audit);
    const pushSubscriptions = new PushSubscriptionService(db, bus, audit, box, config);
    // the delivery engine (notification-delivery.service.ts): follows alert events, stops before the bus closes
    const notificationDeliveries = new NotificationDeliveryService({
      db, bus, jobs, config, log, audit, channels: notificationChannels, policies: escalationPolicies, push: pushSubscriptions,
    });
    onClose(() => notificationDeliveries.close());
    return { notificationChannels, escalationPolicies, pushSubscriptions, notificationDeliveries };
  },
  jobs: {
    // every process routes the alert events of tenants with targets; the sweep runs once per cluster
    register: async (jobs, s) => {
      s.notificationDeliveries.register(jobs);
      await s.notificationDeliveries.start();
    },
    schedule: (jobs, s) => s.notificationDeliveries.schedule(jobs),
  },
  topics: ['alertEscalated', 'notificationDeliveryUpdated', 'notificationTargetsChanged'],
  feeds: [],
  errors: NOTIFICATION_ERROR_CODES,
});
