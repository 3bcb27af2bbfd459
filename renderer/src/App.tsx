import { WhoIsHere } from './screens/WhoIsHere';

/** The screens a workstation shows; later screens (enrol, unlock, chat) hang off this switch. */
export function App() {
  return (
    <div className="app">
      <WhoIsHere onAddProfile={() => undefined} onChoose={() => undefined} />
    </div>
  );
}
