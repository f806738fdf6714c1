// Renderer entry: Vue app with Pinia, the router, the shared styles.
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router.ts';
import './styles.css';

createApp(App).use(createPinia()).use(router).mount('#app');
