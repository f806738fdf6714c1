// The names of the AppApi's methods, and nothing else: the Electron preload bridge needs the
// list but cannot load the request schemas (a sandboxed preload can only require
// `electron`), so the names live apart. api.ts checks that API_REQUESTS has exactly these.

export const API_METHODS = [
  'listExperiments',
  'getExperiment',
  'createExperiment',
  'updateExperiment',
  'listRuns',
  'getRunMetrics',
  'getQueue',
  'cancelRun',
  'retryRun',
  'moveRun',
  'pauseQueue',
  'resumeQueue',
  'setSlots',
  'listStudies',
  'getStudy',
  'getStudyCurves',
  'getExperimentCurves',
  'listConfigs',
  'getEnvironment',
  'compareExperiments',
  'exportReport',
  'importResults',
  'createStudy',
  'startStudy',
  'pauseStudy',
  'resumeStudy',
  'cancelStudy',
  'deleteStudy',
  'queueStudyBest',
  'listStudyTemplates',
  'cancelExperiments',
  'archiveExperiments',
  'deleteExperiments',
  'restoreExperiments',
] as const;

export type ApiMethod = (typeof API_METHODS)[number];
