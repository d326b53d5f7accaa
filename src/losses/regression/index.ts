export { huber, huberLoss } from './huber.js';
export { mse, mseLoss } from './mse.js';
