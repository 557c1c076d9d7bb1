import { api, setSession, type Session } from '../api.js'
import { field, fill, h } from '../dom.js'
import { t } from '../i18n.js'
import { go } from '../nav.js'

/** Sign-in: the operator key is sent once (POST /console/api/session); the hub answers with an HttpOnly session cookie. */
export function renderSignIn(main: HTMLElement, notice: string): void {
  const key = h('input', { type: 'password', name: 'key', required: true, autocomplete: 'current-password', maxlength: 512, 'data-testid': 'signin-key' })
  const status = h('p', { role: 'alert', class: 'error', 'data-testid': 'signin-error' }, notice)
  const button = h('button', { type: 'submit', 'data-testid': 'signin-submit' }, t('signin'))
  const form = h('form', { class: 'card signin', 'aria-labelledby': 'signin-h' }, field(t('keyLabel'), key, t('keyHint')), button, status)
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    button.disabled = true
    status.textContent = ''
    api<Session>('/console/api/session', { method: 'POST', body: { key: key.value }, signInCall: true })
      .then((s) => {
        key.value = ''
        setSession(s)
        go('#/overview')
      })
      .catch(() => {
        status.textContent = t('signinFailed')
        button.disabled = false
        key.focus()
      })
  })
  fill(main, h('h1', { id: 'signin-h', tabindex: -1 }, `${t('title')}: ${t('signin')}`), form)
  key.focus()
}
