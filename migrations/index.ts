import { Migration20261121000000_foundation } from './Migration20261121000000_foundation.js';

/** Static list so migrations load the same under tsc output and under vitest. */
export const migrationsList = [
  { name: 'Migration20261121000000_foundation', class: Migration20261121000000_foundation },
];
