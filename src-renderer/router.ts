// The views and their addresses (hash history, so the same build works from file:// in the
// desktop app and from `evolab serve`). Detail views take the id from the path.

import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import CompareView from './views/compare/CompareView.vue';
import ExperimentDetailView from './views/experiment-detail/ExperimentDetailView.vue';
import ExperimentsView from './views/experiments/ExperimentsView.vue';
import NewExperimentView from './views/new-experiment/NewExperimentView.vue';
import QueueView from './views/queue/QueueView.vue';
import StudiesView from './views/studies/StudiesView.vue';
import StudyView from './views/studies/StudyView.vue';

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/experiments' },
  { path: '/experiments', name: 'experiments', component: ExperimentsView },
  { path: '/experiments/new', name: 'new-experiment', component: NewExperimentView },
  { path: '/experiments/:id(\\d+)', name: 'experiment', component: ExperimentDetailView, props: (r) => ({ id: Number(r.params.id) }) },
  { path: '/queue', name: 'queue', component: QueueView },
  { path: '/studies', name: 'studies', component: StudiesView },
  { path: '/studies/:id(\\d+)', name: 'study', component: StudyView, props: (r) => ({ id: Number(r.params.id) }) },
  { path: '/compare', name: 'compare', component: CompareView },
  { path: '/:unknown(.*)*', redirect: '/experiments' },
];

export const router = createRouter({ history: createWebHashHistory(), routes });
