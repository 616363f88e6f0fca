export { detectPlatform, main } from './main';
