import { MODULES } from '../app/modules.js';

/** Every entity class, each declared by exactly one module manifest. */
export const ENTITIES = MODULES.flatMap((m) => m.entities);
