import { contextBridge, ipcRenderer } from 'electron';
import { buildBridge } from '../protocol/bridge';
import { createIpcTransport } from './transport';

// The page gets window.wardline and nothing else: named methods and onX listeners that return
// an unsubscribe function, never ipcRenderer itself or a generic invoke/send/on.
const transport = createIpcTransport(ipcRenderer);
contextBridge.exposeInMainWorld('wardline', buildBridge(transport.invoke, transport.subscribe));
