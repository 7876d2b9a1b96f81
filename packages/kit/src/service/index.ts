export { serviceDefaults, type Platform, type ServiceKit } from './service-defaults.ts';
