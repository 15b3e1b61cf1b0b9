// The AlarmStore and ConfigStore conformance suites on PGlite (embedded, in memory).
import { accessLogConformance } from './access-log-conformance.ts';
import { configStoreConformance } from './config-store-conformance.ts';
import { deviceMessageConformance } from './device-message-conformance.ts';
import { identityStoreConformance } from './identity-conformance.ts';
import { storeConformance } from './store-conformance.ts';
import { memoryStore } from '../support/services.ts';

storeConformance('PGlite', memoryStore);
identityStoreConformance('PGlite', memoryStore);
configStoreConformance('PGlite', memoryStore);
accessLogConformance('PGlite', memoryStore);
deviceMessageConformance('PGlite', memoryStore);
