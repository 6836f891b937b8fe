/**
 * What the bot says in its own voice (everything else comes from the knowledge graph), in the two
 * languages the platform answers in. Unknown languages get English.
 */
type Lang = 'en' | 'zh';
const lang = (language: string | null | undefined): Lang => (language === 'zh' ? 'zh' : 'en');

export const replies = {
  greeting: (l?: string | null) => (lang(l) === 'zh' ? '您好！请问有什么可以帮您？' : 'Hello! How can I help you today?'),
  thanks: (l?: string | null) => (lang(l) === 'zh' ? '不客气！还有其他可以帮您的吗？' : "You're welcome! Is there anything else I can help with?"),
  goodbye: (l?: string | null) => (lang(l) === 'zh' ? '感谢您的咨询，再见！' : 'Thanks for chatting with us. Goodbye!'),
  handoff: (l?: string | null) =>
    lang(l) === 'zh' ? '我正在为您转接人工客服，请稍候。客服加入后会直接在这里回复您。' : "I'm passing you to a member of our team. Please stay here: they'll reply in this chat.",
  waitingForAgent: (l?: string | null) => (lang(l) === 'zh' ? '已收到您的消息，客服会尽快回复您。' : "Thanks, we've got your message. A member of our team will reply shortly."),
  notSure: (l?: string | null) =>
    lang(l) === 'zh' ? '抱歉，我不太确定您的意思。能换个说法，或者多告诉我一些细节吗？' : "Sorry, I'm not sure I understood. Could you rephrase it or tell me a bit more?",
  bestGuess: (text: string, l?: string | null) =>
    lang(l) === 'zh' ? `我不完全确定，但这可能有帮助：${text}` : `I'm not completely sure, but this may help: ${text}`,
  noAnswer: (l?: string | null) => (lang(l) === 'zh' ? '抱歉，我暂时没有这个问题的答案。' : "Sorry, I don't have an answer to that yet."),
  processOffer: (name: string, l?: string | null) => (lang(l) === 'zh' ? `我可以一步步帮您办理“${name}”。` : `I can take you through “${name}” step by step.`),
  cancelled: (name: string, l?: string | null) =>
    lang(l) === 'zh' ? `好的，已取消“${name}”。还有什么可以帮您？` : `OK, I've stopped “${name}”. Is there anything else I can help with?`,
  resume: (name: string, prompt: string, l?: string | null) => (lang(l) === 'zh' ? `我们继续“${name}”：${prompt}` : `Back to “${name}”: ${prompt}`),
  nothingToCancel: (l?: string | null) => (lang(l) === 'zh' ? '好的。还有什么可以帮您？' : 'OK. Is there anything else I can help with?'),
  handedBack: (l?: string | null) => (lang(l) === 'zh' ? '您好，我是智能助手，我们继续。还有什么可以帮您？' : "Hi, it's the assistant again. Is there anything else I can help with?"),
  actionFailed: (l?: string | null) => (lang(l) === 'zh' ? '抱歉，我暂时无法查询到这项信息。' : "Sorry, I couldn't look that up just now."),
  resolved: (l?: string | null) => (lang(l) === 'zh' ? '本次对话已结束，感谢您的耐心。' : 'This conversation has been resolved. Thank you for your patience.'),
} as const;

/** Sentences of a reply, for streaming it in chunks. */
export function replyChunks(text: string): string[] {
  const parts = text.match(/[^.!?。！？\n]+(?:[.!?。！？]+["'”’)]*\s*|\n+|$)/gu) ?? [text];
  const out = parts.filter((p) => p.length > 0);
  return out.length > 0 ? out : [text];
}
