/**
 * Guessing a ticket's severity from the customer's first words, in English
 * and Chinese. Outage words make it urgent, failures high, questions and
 * wishes low; anything else is left to the tier's default.
 */
import { describe, expect, it } from 'vitest';
import { guessSeverity } from '../../src/domain/severity.js';

const cases = (rows: [string, ReturnType<typeof guessSeverity>][]) => rows.map(([text, severity]) => ({ text, severity }));

describe('guessing severity from Chinese messages', () => {
  it.each(
    cases([
      ['生产环境宕机了，所有用户无法登录', 'urgent'],
      ['紧急：支付接口一直超时', 'urgent'],
      ['昨晚发生线上事故，订单数据不同步', 'urgent'],
      ['服务中断，客户无法下单', 'urgent'],
      ['后台挂了，请尽快处理', 'urgent'],
      ['官网无法访问', 'urgent'],
      ['数据库主节点故障', 'urgent'],
    ]),
  )('"$text" is urgent', ({ text, severity }) => {
    expect(guessSeverity(text)).toBe(severity);
  });

  it.each(
    cases([
      ['导出报表时报错：500', 'high'],
      ['同步任务失败了三次', 'high'],
      ['支付接口一直超时', 'high'],
      ['导出报表一直无法完成', 'high'],
      ['接口响应很慢，页面要等十几秒', 'high'],
      ['回调返回错误码 4001', 'high'],
      ['订单状态显示异常', 'high'],
      ['这个问题阻塞了我们的上线', 'high'],
    ]),
  )('"$text" is high, not urgent', ({ text, severity }) => {
    expect(guessSeverity(text)).toBe(severity);
  });

  it.each(
    cases([
      ['请问如何修改发票抬头？', 'low'],
      ['想咨询一下企业版的价格', 'low'],
      ['建议增加暗色模式', 'low'],
    ]),
  )('"$text" is low', ({ text, severity }) => {
    expect(guessSeverity(text)).toBe(severity);
  });

  it('says nothing about a message that says nothing either way', () => {
    expect(guessSeverity('你好，我们想了解一下新功能的上线时间')).toBeUndefined();
  });
});

describe('guessing severity from English messages', () => {
  it.each(
    cases([
      ['Production is down since 10:02', 'urgent'],
      ['Our API went down for every customer in eu-west', 'urgent'],
      ['We have an outage: nothing loads', 'urgent'],
      ['P1: data loss on import', 'urgent'],
      ['SEV1 — the dashboard is unreachable', 'urgent'],
      ['URGENT please call us', 'urgent'],
    ]),
  )('"$text" is urgent', ({ text, severity }) => {
    expect(guessSeverity(text)).toBe(severity);
  });

  it.each(
    cases([
      // A server error on every request is a failure to fix today — but not an outage word: staff raise it if it is one.
      ['The checkout API returns 502 for every request', 'high'],
      ['Our calls get HTTP 503 Service Unavailable', 'high'],
      ['Seeing lots of 504s from the export endpoint', 'high'],
      ['Webhooks time out after 30 seconds', 'high'],
      ['SSO login fails for new users', 'high'],
      ['Exports are slow since Monday', 'high'],
      ["We can't invite new members", 'high'],
      ['The login page shows an error', 'high'],
    ]),
  )('"$text" is high, not urgent', ({ text, severity }) => {
    expect(guessSeverity(text)).toBe(severity);
  });

  it.each(
    cases([
      ['How do I rotate an API key?', 'low'],
      ['Feature request: dark mode', 'low'],
      ['Question about the docs for webhooks', 'low'],
    ]),
  )('"$text" is low', ({ text, severity }) => {
    expect(guessSeverity(text)).toBe(severity);
  });

  it.each([
    'The drop-down menu shows the wrong currency',
    'Please scroll down to the footer, the link there is wrong',
    'Where can I download last month\'s invoice?',
    'We have 500 users on the enterprise plan now',
    'Thanks, all good now',
  ])('"%s" is not guessed urgent (nor anything)', (text) => {
    expect(guessSeverity(text)).toBeUndefined();
  });

  it('reads the worst of mixed words and mixed languages', () => {
    expect(guessSeverity('Question: is the API down?')).toBe('urgent');
    expect(guessSeverity('URGENT 支付失败')).toBe('urgent');
    expect(guessSeverity('请问 export fails with 500 Internal Server Error')).toBe('high');
  });
});
