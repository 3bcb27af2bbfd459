import { useCallback, useState } from 'react';
import type { ConversationSummary, Me, SearchHit } from '../../../protocol/models';
import { ConversationList } from '../components/ConversationList';
import { LockWarning } from '../components/LockWarning';
import { NewGroupDialog } from '../components/NewGroupDialog';
import { TopBar } from '../components/TopBar';
import { useActivityPing } from '../hooks/useActivityPing';
import { useConversations } from '../hooks/useConversations';
import { useLockWarning } from '../hooks/useLockWarning';
import { useResult } from '../hooks/useResult';
import { useTransfers } from '../hooks/useTransfers';
import { Contact } from './Contact';
import { Conversation } from './Conversation';
import type { ConversationHeader } from './Conversation';
import { NewConversation } from './NewConversation';
import { Search } from './Search';
import { Settings } from './Settings';

interface Props {
  me: Me;
  onLock(): void;
  /** Changing the PIN used up the attempts: the profile is gone. */
  onErased(): void;
}

type View =
  | { kind: 'home' }
  | { kind: 'conversation'; id: string; fallbackTitle: string; focusMessageId: string | null; nonce: number }
  | { kind: 'new' }
  | { kind: 'search'; query: string; nonce: number }
  | { kind: 'contact'; userId: string; conversationId: string | null }
  | { kind: 'settings' };

let nonces = 0;

/**
 * Everything shown while a profile is open. All message state lives below this component, and
 * App unmounts it on lock, so locking leaves nothing of the session in the DOM.
 */
export function Shell({ me, onLock, onErased }: Props) {
  const [view, setView] = useState<View>({ kind: 'home' });
  const [newGroup, setNewGroup] = useState(false);
  const [conversations, addConversation, reloadConversations] = useConversations();
  const [settings, reloadSettings, setSettings] = useResult(() => window.wardline.policy.settings());
  const transfers = useTransfers();
  const warning = useLockWarning();
  useActivityPing();

  const openConversation = useCallback((c: { id: string; title: string }, focusMessageId: string | null = null) => {
    setView({ kind: 'conversation', id: c.id, fallbackTitle: c.title, focusMessageId, nonce: ++nonces });
  }, []);

  const list = conversations.state === 'ready' ? conversations.value : [];
  const selectedId = view.kind === 'conversation' ? view.id : view.kind === 'contact' ? view.conversationId : null;

  function header(id: string, fallbackTitle: string): ConversationHeader {
    const found = list.find((c) => c.id === id);
    return found
      ? {
          id, kind: found.kind, title: found.title, peerUserId: found.peerUserId || null, verified: found.verified, memberCount: found.memberCount,
          disappearingSeconds: found.disappearingSeconds, disappearingMaxSeconds: found.disappearingMaxSeconds,
        }
      : {
          id, kind: id.startsWith('group:') ? 'group' : 'direct', title: fallbackTitle, peerUserId: null, verified: false, memberCount: null,
          disappearingSeconds: 0, disappearingMaxSeconds: null,
        };
  }

  function started(c: ConversationSummary) {
    addConversation(c);
    openConversation(c);
  }

  function openHit(hit: SearchHit) {
    openConversation({ id: hit.conversationId, title: hit.conversationTitle }, hit.messageId);
  }

  return (
    <div className="shell">
      <TopBar
        me={me}
        onSearch={(query) => setView({ kind: 'search', query, nonce: ++nonces })}
        onSettings={() => setView({ kind: 'settings' })}
        onLock={onLock}
        settingsOpen={view.kind === 'settings'}
      />
      {warning && <LockWarning secondsLeft={warning.secondsLeft} initial={warning.initial} />}
      <div className="shell__body">
        <nav className="sidebar" aria-label="Conversations">
          <button type="button" className="button button--primary sidebar__new" onClick={() => setView({ kind: 'new' })} aria-current={view.kind === 'new' ? 'page' : undefined}>
            + New conversation
          </button>
          <button type="button" className="button sidebar__new" onClick={() => setNewGroup(true)}>
            + New group
          </button>
          <ConversationList
            conversations={conversations}
            selectedId={selectedId}
            onOpen={(c) => openConversation(c)}
            onReload={reloadConversations}
            takeFocus
          />
        </nav>
        <main className="pane">
          {view.kind === 'home' && (
            <div className="pane__empty">
              <h2>Hello, {me.displayName}</h2>
              <p className="muted">Choose a conversation, or start a new one. Lock Wardline whenever you step away from this workstation.</p>
            </div>
          )}
          {view.kind === 'conversation' && (
            <Conversation
              key={view.nonce}
              conversation={header(view.id, view.fallbackTitle)}
              focusMessageId={view.focusMessageId}
              transfers={transfers}
              allowSave={settings.state === 'ready' && settings.value.allowSaveAttachments}
              // Until the settings arrive, export stays off: main refuses it anyway when policy forbids.
              allowExport={settings.state === 'ready' && settings.value.allowExport}
              myUserId={me.userId}
              onOpenContact={(userId) => setView({ kind: 'contact', userId, conversationId: view.id })}
            />
          )}
          {view.kind === 'new' && <NewConversation onStarted={started} />}
          {newGroup && (
            <NewGroupDialog
              onClose={() => setNewGroup(false)}
              onCreated={(c) => {
                setNewGroup(false);
                started(c);
              }}
            />
          )}
          {view.kind === 'search' && <Search key={view.nonce} query={view.query} onOpenHit={openHit} />}
          {view.kind === 'contact' && (
            <Contact
              userId={view.userId}
              // main sends no conversations.changed for a verification, so ask for the list again.
              onVerifiedChanged={reloadConversations}
              onBack={() => {
                const c = view.conversationId ? list.find((x) => x.id === view.conversationId) : undefined;
                if (c) openConversation(c);
                else setView({ kind: 'home' });
              }}
            />
          )}
          {view.kind === 'settings' && (
            <Settings me={me} settings={settings} onSettings={setSettings} onReload={reloadSettings} onLock={onLock} onErased={onErased} />
          )}
        </main>
      </div>
    </div>
  );
}
