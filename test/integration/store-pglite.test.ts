// The AlarmStore and ConfigStore conformance suites on PGlite (embedded, in memory).
import { configStoreConformance } from './config-store-conformance.ts';
import { storeConformance } from './store-conformance.ts';
import { memoryStore } from '../support/services.ts';

storeConformance('PGlite', memoryStore);
configStoreConformance('PGlite', memoryStore);
