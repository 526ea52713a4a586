import { describe, it, expect } from '@jest/globals';
import { messageTemplate } from './message-template.js';

describe('messageTemplate', () => {
  it('replaces numbers, uuids, hex ids, IPs and quoted strings with placeholders', () => {
    expect(messageTemplate('payment 1234 failed for user "u-17" after 2.5s')).toBe('payment <num> failed for user <str> after <num>s');
    expect(messageTemplate("order 3f2c1a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6 not found on 10.0.3.7:5432")).toBe('order <uuid> not found on <ip>');
    expect(messageTemplate('span 0af7651916cd43dd at 0x1f3a, key \'abc\'')).toBe('span <hex> at <hex>, key <str>');
  });

  it('groups messages that differ only in their data, and keeps words made of hex letters', () => {
    expect(messageTemplate('timeout after 300 ms')).toBe(messageTemplate('timeout after 12000 ms'));
    expect(messageTemplate('deadbeef facade accepted')).toBe('deadbeef facade accepted');
  });
});
