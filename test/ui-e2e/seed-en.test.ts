import { describeSeedScenario } from './seed-scenario.js';

describeSeedScenario('en');
