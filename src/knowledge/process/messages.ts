/** Languages the platform answers in; the runner's own messages exist in each. */
export const LANGUAGES = ['en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

type Bounds = { min?: string; max?: string };

function bounded(language: Language, noun: { en: string; zh: string }, { min, max }: Bounds): string {
  if (language === 'zh') {
    if (min !== undefined && max !== undefined) return `请输入 ${min} 到 ${max} 之间的${noun.zh}。`;
    if (min !== undefined) return `请输入不小于 ${min} 的${noun.zh}。`;
    return `请输入不大于 ${max} 的${noun.zh}。`;
  }
  if (min !== undefined && max !== undefined) return `Please enter ${noun.en} from ${min} to ${max}.`;
  if (min !== undefined) return `Please enter ${noun.en} of at least ${min}.`;
  return `Please enter ${noun.en} of at most ${max}.`;
}

function lengthBounded(language: Language, { min, max }: Bounds): string {
  if (language === 'zh') {
    if (min !== undefined && max !== undefined) return `请输入 ${min} 到 ${max} 个字符。`;
    if (min !== undefined) return `请至少输入 ${min} 个字符。`;
    return `请最多输入 ${max} 个字符。`;
  }
  if (min !== undefined && max !== undefined) return `Please enter ${min} to ${max} characters.`;
  if (min !== undefined) return `Please enter at least ${min} characters.`;
  return `Please enter at most ${max} characters.`;
}

/** What the runner says when an answer does not fit the slot. */
export const slotMessages = {
  empty: (l: Language) => (l === 'zh' ? '请输入内容。' : 'Please enter an answer.'),
  tooLong: (l: Language) => (l === 'zh' ? '输入内容过长，请简短一些。' : 'That answer is too long. Please keep it shorter.'),
  string: (l: Language, b: Bounds) => lengthBounded(l, b),
  email: (l: Language) =>
    l === 'zh' ? '请输入有效的邮箱地址，例如 name@example.com。' : 'Please enter a valid email address, like name@example.com.',
  phone: (l: Language) =>
    l === 'zh' ? '请输入有效的电话号码，例如 13812345678。' : 'Please enter a valid phone number, like +44 20 7946 0958.',
  number: (l: Language) => (l === 'zh' ? '请输入数字。' : 'Please enter a number.'),
  integer: (l: Language) => (l === 'zh' ? '请输入整数。' : 'Please enter a whole number.'),
  numberRange: (l: Language, b: Bounds) => bounded(l, { en: 'a number', zh: '数字' }, b),
  date: (l: Language) => (l === 'zh' ? '请输入日期，例如 2024-05-31。' : 'Please enter a date, like 2024-05-31.'),
  dateRange: (l: Language, b: Bounds) => bounded(l, { en: 'a date', zh: '日期' }, b),
  enum: (l: Language, options: readonly string[]) =>
    l === 'zh' ? `请回答以下选项之一：${options.join('、')}。` : `Please answer with one of: ${options.join(', ')}.`,
  regex: (l: Language) => (l === 'zh' ? '格式不正确，请检查后重新输入。' : "That doesn't look right. Please check it and try again."),
  orderId: (l: Language) => (l === 'zh' ? '请输入订单号，例如 A12345。' : 'Please enter your order number, like A12345.'),
} as const;
