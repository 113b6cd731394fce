import { runEchoServer } from './echo-server';

runEchoServer();
