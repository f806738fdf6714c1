// The views and their addresses (hash history, so the same build works from file:// in the
// desktop app and from `evolab serve`). Detail views take the id from the path.

import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import ExperimentsView from './views/experiments/ExperimentsView.vue';

// The first view is in the main bundle; the others (and ECharts with them) load when first
// opened, so the app starts without parsing the chart library.
const CompareView = () => import('./views/compare/CompareView.vue');
const ExperimentDetailView = () => import('./views/experiment-detail/ExperimentDetailView.vue');
const NewExperimentView = () => import('./views/new-experiment/NewExperimentView.vue');
const NewStudyView = () => import('./views/new-study/NewStudyView.vue');
const QueueView = () => import('./views/queue/QueueView.vue');
const StudiesView = () => import('./views/studies/StudiesView.vue');
const StudyView = () => import('./views/studies/StudyView.vue');

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/experiments' },
  { path: '/experiments', name: 'experiments', component: ExperimentsView },
  { path: '/experiments/new', name: 'new-experiment', component: NewExperimentView },
  { path: '/experiments/:id(\\d+)', name: 'experiment', component: ExperimentDetailView, props: (r) => ({ id: Number(r.params.id) }) },
  { path: '/queue', name: 'queue', component: QueueView },
  { path: '/studies', name: 'studies', component: StudiesView },
  { path: '/studies/new', name: 'new-study', component: NewStudyView },
  { path: '/studies/:id(\\d+)', name: 'study', component: StudyView, props: (r) => ({ id: Number(r.params.id) }) },
  { path: '/compare', name: 'compare', component: CompareView },
  { path: '/:unknown(.*)*', redirect: '/experiments' },
];

export const router = createRouter({ history: createWebHashHistory(), routes });
