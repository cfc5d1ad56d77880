// The embedded registry's public surface, for tests, the demo, the benchmark and CI. The
// action's entry never imports this folder.
export {
  CATALOG_FILE_NAME,
  loadCatalogFile,
  parseCatalog,
  type CatalogDistribution,
  type CatalogPackage,
  type CatalogVersion,
  type RegistryCatalog,
} from '../src/mirror/catalog.js';
export {
  FAULT_KINDS,
  FaultList,
  loadFaultFile,
  parseFaultRules,
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
export { RegistryServerError } from '../src/mirror/mirror-error.js';
export {
  createTestCertificate,
  type TestCertificate,
  type TestCertificateOptions,
} from './test-certificate.js';
