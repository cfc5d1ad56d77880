// The test kit's public surface, for tests, the demo, the benchmark and CI: the mirror wrapped
// with claims and faults, seeding, a test certificate. Never bundled: src/ never imports it.
export {
  CATALOG_FILE_NAME,
  loadCatalogFile,
  parseCatalog,
  truthOf,
  type CatalogDistribution,
  type CatalogPackage,
  type CatalogVersion,
  type RegistryCatalog,
} from './test-catalog.js';
export {
  FAULT_KINDS,
  FaultList,
  loadFaultFile,
  parseFaultRules,
  stillGenerating,
  type Fault,
  type FaultKind,
  type FaultRule,
  type ListenerName,
  type PendingFault,
  type RedirectStatus,
} from './faults.js';
export {
  startRegistry,
  type RegistryHost,
  type RegistryServerOptions,
  type RegistryTlsOptions,
  type RequestRecord,
  type RunningRegistry,
} from './fault-registry.js';
export { MirrorError } from '../src/mirror/mirror-error.js';
export {
  createTestCertificate,
  type TestCertificate,
  type TestCertificateOptions,
} from './test-certificate.js';
