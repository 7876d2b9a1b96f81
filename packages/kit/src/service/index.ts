export { type Platform, type ServiceKit, serviceDefaults } from './service-defaults.ts';
export { type Sweep, startSweep } from './sweep.ts';
