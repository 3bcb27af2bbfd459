/**
 * bench:relay's bare socket.io server: forwards each envelope to its recipient's socket and
 * acknowledges the sender, without validation or persistence. The transport's ceiling, run as a
 * child process of bench/relay.ts; prints its port as one JSON line.
 */
import { Server, type Socket } from 'socket.io';

function runEchoServer(): void {
  const server = new Server({ transports: ['websocket'], serveClient: false, perMessageDeflate: false, maxHttpBufferSize: 1.5e6 });
  const devices = new Map<string, Socket>();
  let seq = 0;
  server.on('connection', (socket) => {
    const deviceId = String((socket.handshake.auth as { deviceId?: string }).deviceId);
    devices.set(deviceId, socket);
    socket.on('envelope.send', (request: { envelopes: { to: string; senderMessageId: string; payload: string }[] }, ack: (body: unknown) => void) => {
      const now = Date.now();
      for (const envelope of request.envelopes) {
        devices.get(envelope.to)?.emit('envelope.deliver', {
          envelopes: [{ id: ++seq, senderUserId: deviceId, senderDeviceId: deviceId, senderMessageId: envelope.senderMessageId, sentAt: now, payload: envelope.payload }],
        });
      }
      ack({ ok: true, results: request.envelopes.map((envelope) => ({ to: envelope.to, senderMessageId: envelope.senderMessageId, status: 'stored' })) });
    });
    socket.on('envelope.ack', () => undefined);
    socket.on('disconnect', () => devices.delete(deviceId));
  });
  server.listen(0);
  const address = server.httpServer.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }));
}

runEchoServer();
