export { type Platform, type ServiceKit, serviceDefaults } from './service-defaults.ts';
