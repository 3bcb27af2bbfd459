import { describe, expect, it } from 'vitest';
import { insertMention, matchMembers, mentionAt, mentionedIn } from '../../../renderer/src/lib/mentions';

const BOB = { userId: 'u-bob', displayName: 'Nurse Bob Singh' };
const CAROL = { userId: 'u-carol', displayName: 'Dr Carol Reyes' };
const MEMBERS = [BOB, CAROL];

describe('composer @mentions', () => {
  it('finds the "@query" that ends at the caret, but not an e-mail address', () => {
    expect(mentionAt('please @Bo', 10)).toEqual({ start: 7, query: 'Bo' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('mail bob@ward7', 14)).toBeNull();
    expect(mentionAt('no mention here', 15)).toBeNull();
    expect(mentionAt('@Bob\nnext line', 14)).toBeNull();
  });

  it('offers members with a word starting with what was typed', () => {
    expect(matchMembers(MEMBERS, 'bob')).toEqual([BOB]);
    expect(matchMembers(MEMBERS, 'dr c')).toEqual([CAROL]);
    expect(matchMembers(MEMBERS, '')).toEqual(MEMBERS);
    expect(matchMembers(MEMBERS, 'zed')).toEqual([]);
  });

  it('inserts "@Display Name " in place of the query and puts the caret after it', () => {
    const text = 'please @bo check bed 4';
    expect(insertMention(text, { start: 7, query: 'bo' }, BOB)).toEqual({ text: 'please @Nurse Bob Singh check bed 4', caret: 24 });
    expect(insertMention('@nu', { start: 0, query: 'nu' }, BOB)).toEqual({ text: '@Nurse Bob Singh ', caret: 17 });
  });

  it('sends as mentions only the picked members still named in the text', () => {
    expect(mentionedIn('@Nurse Bob Singh and @Dr Carol Reyes', [BOB, CAROL])).toEqual(['u-bob', 'u-carol']);
    expect(mentionedIn('@Nurse Bob Singh only', [BOB, CAROL])).toEqual(['u-bob']);
    expect(mentionedIn('nobody', [BOB])).toEqual([]);
  });
});
