import type { Plan } from '../config/config.js';
import type { Database } from '../infra/database.js';
import { Tenant } from './tenant.entity.js';

const PLAN_CACHE_MS = 30_000;

/** Tenant lookups on the hot path (the plan decides the rate limit), cached briefly per process. */
export class TenantService {
  private readonly planCache = new Map<string, { plan: Plan; at: number }>();

  constructor(private readonly db: Database) {}

  /** The tenant's subscription plan; a plan change is seen within 30 s by every instance. */
  async planOf(tenantId: string): Promise<Plan | null> {
    const hit = this.planCache.get(tenantId);
    if (hit && Date.now() - hit.at < PLAN_CACHE_MS) return hit.plan;
    const t = await this.db.em().findOne(Tenant, { id: tenantId }, { fields: ['plan'] });
    if (!t) return null;
    if (this.planCache.size > 50_000) this.planCache.clear();
    this.planCache.set(tenantId, { plan: t.plan, at: Date.now() });
    return t.plan;
  }
}
