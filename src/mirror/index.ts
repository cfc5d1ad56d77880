// The mirror's public surface: a folder of containers served as a Wasmer-compatible registry,
// for a front door (a command line's `registry` command) and for the test kit to wrap.
export {
  CATALOG_FILE_NAME,
  loadCatalogFile,
  parseCatalog,
  type CatalogDistribution,
  type CatalogPackage,
  type CatalogVersion,
  type MirrorCatalog,
} from './catalog.js';
export { DEMO_PACKAGES, seedDemoRegistry } from './demo-packages.js';
export {
  MIRROR_HOSTS,
  type ListenerName,
  type MirrorHost,
  type MirrorTlsOptions,
} from './listeners.js';
export { MirrorError } from './mirror-error.js';
export { startMirror, type MirrorOptions, type RunningMirror } from './mirror-server.js';
// `webc-fetch serve`: a Wasmer-compatible GraphQL facade over a static mirror folder.
export {
  startFacade,
  type CloseOptions,
  type FacadeOptions,
  type FacadeTlsOptions,
  type RunningFacade,
} from './serve/facade-server.js';
