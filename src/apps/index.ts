import { accounting } from './accounting.js';
import { crm } from './crm.js';

export { accounting } from './accounting.js';
export { crm } from './crm.js';

export const applications = [crm, accounting] as const;
