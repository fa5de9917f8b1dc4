/* The widget's words (aria labels too), by language and message id: en, fr, es, de
 * (docs/protocol.md#widget-embedding). Served inside widget.js's one function, before
 * widget.js, which picks the visitor's language (widget/embed.go). {name} marks a value. */
var LivedeskStrings = {
  en: {
    title: 'Chat with us', online: "We're online", offline: "We're offline", away: 'Our team is away',
    backAt: 'Back at {time}', backOn: 'Back {day} at {time}', connecting: 'Connecting…',
    openChat: 'Open chat', closeChat: 'Close chat', chat: 'Chat',
    placeholder: 'Type your message…', send: 'Send', end: 'End chat',
    typing: 'Agent is typing…', closingSoon: 'We close at {time}',
    queue: 'You are number {n} in line', waiting: 'Waiting for an agent…',
    assigned: "You're chatting with {name}", agent: 'Agent',
    sending: 'Sending…', notSent: 'Not sent', ended: 'The chat has ended.',
    offlineIntro: "We're not here right now. Leave a message and we'll get back to you.",
    name: 'Name', email: 'E-mail', message: 'Message', submit: 'Send message',
    thanks: "Thanks, we'll get back to you", required: 'This field is required',
    badEmail: 'Enter a valid e-mail address', tooLong: 'At most {n} characters',
    tooBig: 'This message is too long', reconnecting: 'Reconnecting…',
    pick: 'Choose a department', departments: 'Departments', deptOnline: 'Online', deptOffline: 'Offline',
    otherDepts: 'Other departments'
  },
  fr: {
    title: 'Discutez avec nous', online: 'Nous sommes en ligne', offline: 'Nous sommes absents', away: 'Notre équipe est absente',
    backAt: 'De retour à {time}', backOn: 'De retour {day} à {time}', connecting: 'Connexion…',
    openChat: 'Ouvrir la discussion', closeChat: 'Fermer la discussion', chat: 'Discussion',
    placeholder: 'Écrivez votre message…', send: 'Envoyer', end: 'Terminer',
    typing: 'Un conseiller écrit…', closingSoon: 'Nous fermons à {time}',
    queue: "Vous êtes n° {n} dans la file d'attente", waiting: "En attente d'un conseiller…",
    assigned: 'Vous discutez avec {name}', agent: 'Conseiller',
    sending: 'Envoi…', notSent: 'Non envoyé', ended: 'La discussion est terminée.',
    offlineIntro: 'Nous ne sommes pas disponibles pour le moment. Laissez-nous un message, nous vous répondrons au plus vite.',
    name: 'Nom', email: 'Adresse e-mail', message: 'Message', submit: 'Envoyer le message',
    thanks: 'Merci, nous vous répondrons très vite', required: 'Ce champ est obligatoire',
    badEmail: 'Saisissez une adresse e-mail valide', tooLong: '{n} caractères maximum',
    tooBig: 'Ce message est trop long', reconnecting: 'Reconnexion…',
    pick: 'Choisissez un service', departments: 'Services', deptOnline: 'En ligne', deptOffline: 'Hors ligne',
    otherDepts: 'Autres services'
  },
  es: {
    title: 'Habla con nosotros', online: 'Estamos en línea', offline: 'Ahora no estamos', away: 'Nuestro equipo no está disponible',
    backAt: 'Volvemos a las {time}', backOn: 'Volvemos el {day} a las {time}', connecting: 'Conectando…',
    openChat: 'Abrir el chat', closeChat: 'Cerrar el chat', chat: 'Chat',
    placeholder: 'Escribe tu mensaje…', send: 'Enviar', end: 'Terminar chat',
    typing: 'El agente está escribiendo…', closingSoon: 'Cerramos a las {time}',
    queue: 'Eres el número {n} en la cola', waiting: 'Esperando a un agente…',
    assigned: 'Estás hablando con {name}', agent: 'Agente',
    sending: 'Enviando…', notSent: 'No enviado', ended: 'El chat ha terminado.',
    offlineIntro: 'Ahora mismo no estamos. Déjanos un mensaje y te responderemos lo antes posible.',
    name: 'Nombre', email: 'Correo electrónico', message: 'Mensaje', submit: 'Enviar mensaje',
    thanks: 'Gracias, te responderemos pronto', required: 'Este campo es obligatorio',
    badEmail: 'Introduce un correo electrónico válido', tooLong: 'Máximo {n} caracteres',
    tooBig: 'El mensaje es demasiado largo', reconnecting: 'Reconectando…',
    pick: 'Elige un departamento', departments: 'Departamentos', deptOnline: 'En línea', deptOffline: 'Fuera de línea',
    otherDepts: 'Otros departamentos'
  },
  de: {
    title: 'Chatten Sie mit uns', online: 'Wir sind online', offline: 'Wir sind gerade nicht da', away: 'Unser Team ist nicht erreichbar',
    backAt: 'Ab {time} Uhr wieder da', backOn: 'Ab {day}, {time} Uhr wieder da', connecting: 'Verbindung wird aufgebaut…',
    openChat: 'Chat öffnen', closeChat: 'Chat schließen', chat: 'Chat',
    placeholder: 'Ihre Nachricht…', send: 'Senden', end: 'Chat beenden',
    typing: 'Ein Mitarbeiter schreibt…', closingSoon: 'Wir schließen um {time} Uhr',
    queue: 'Sie sind Nummer {n} in der Warteschlange', waiting: 'Warten auf einen Mitarbeiter…',
    assigned: 'Sie chatten mit {name}', agent: 'Mitarbeiter',
    sending: 'Wird gesendet…', notSent: 'Nicht gesendet', ended: 'Der Chat wurde beendet.',
    offlineIntro: 'Gerade ist niemand da. Hinterlassen Sie uns eine Nachricht, wir melden uns bei Ihnen.',
    name: 'Name', email: 'E-Mail-Adresse', message: 'Nachricht', submit: 'Nachricht senden',
    thanks: 'Danke, wir melden uns bei Ihnen', required: 'Dieses Feld ist erforderlich',
    badEmail: 'Bitte geben Sie eine gültige E-Mail-Adresse ein', tooLong: 'Höchstens {n} Zeichen',
    tooBig: 'Diese Nachricht ist zu lang', reconnecting: 'Verbindung wird wiederhergestellt…',
    pick: 'Wählen Sie eine Abteilung', departments: 'Abteilungen', deptOnline: 'Online', deptOffline: 'Offline',
    otherDepts: 'Andere Abteilungen'
  }
};
