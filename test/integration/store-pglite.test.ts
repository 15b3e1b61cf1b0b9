// The AlarmStore conformance suite on PGlite (embedded, in memory).
import { storeConformance } from './store-conformance.ts';
import { memoryStore } from '../support/services.ts';

storeConformance('PGlite', memoryStore);
