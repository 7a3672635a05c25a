#include "common/phrases.hpp"

#include <array>
#include <initializer_list>

namespace sb {

namespace {

// Written for a business reading its own cards: short, polite, formal
// address where the language has one.
constexpr std::array<phrases, 6> table{{
    {"en", "Job", "for", "on", "missing:", "call ended:",
     "No booking details were gathered on this call (%s); listen to the call and call back.",
     "Transferred to a person (%s).", "(no post-call analysis)",
     "Thanks for calling %s. How can I help you today?", "This call is recorded.",
     "Voicemail (%s s) from %s: listen to it and call back."},
    {"es", "Trabajo", "para", "el", "falta:", "llamada terminada:",
     "En esta llamada no se recogieron datos de la reserva (%s); escuche la llamada y devuelva "
     "la llamada.",
     "Transferida a una persona (%s).", "(sin análisis posterior a la llamada)",
     "Gracias por llamar a %s. ¿En qué puedo ayudarle?", "Esta llamada se graba.",
     "Mensaje de voz (%s s) de %s: escúchelo y devuelva la llamada."},
    {"fr", "Demande", "pour", "le", "manque :", "appel terminé :",
     "Aucun détail de réservation n'a été recueilli pendant cet appel (%s) ; écoutez l'appel et "
     "rappelez.",
     "Transféré à une personne (%s).", "(pas d'analyse après l'appel)",
     "Merci d'avoir appelé %s. Comment puis-je vous aider ?", "Cet appel est enregistré.",
     "Message vocal (%s s) de %s : écoutez-le et rappelez."},
    {"de", "Auftrag", "für", "am", "fehlt:", "Anruf beendet:",
     "Bei diesem Anruf wurden keine Buchungsdaten erfasst (%s); bitte den Anruf anhören und "
     "zurückrufen.",
     "An eine Person weitergeleitet (%s).", "(keine Analyse nach dem Anruf)",
     "Danke für Ihren Anruf bei %s. Wie kann ich Ihnen helfen?", "Dieser Anruf wird aufgezeichnet.",
     "Sprachnachricht (%s s) von %s: bitte anhören und zurückrufen."},
    {"it", "Lavoro", "per", "il", "manca:", "chiamata terminata:",
     "In questa chiamata non sono stati raccolti dati di prenotazione (%s); ascolti la chiamata "
     "e richiami.",
     "Trasferita a una persona (%s).", "(nessuna analisi dopo la chiamata)",
     "Grazie per aver chiamato %s. Come posso aiutarla?", "Questa chiamata viene registrata.",
     "Messaggio vocale (%s s) da %s: lo ascolti e richiami."},
    {"pt", "Serviço", "para", "em", "falta:", "chamada terminada:",
     "Nesta chamada não foram recolhidos dados de marcação (%s); ouça a chamada e ligue de "
     "volta.",
     "Transferida para uma pessoa (%s).", "(sem análise após a chamada)",
     "Obrigado por ligar para %s. Como posso ajudar?", "Esta chamada é gravada.",
     "Mensagem de voz (%s s) de %s: ouça-a e ligue de volta."},
}};

} // namespace

const phrases& phrases_for(const std::string& code) {
  for (const auto& p : table)
    if (code == p.code)
      return p;
  return table.front();
}

bool has_phrases(const std::string& code) {
  return std::string{phrases_for(code).code} == code;
}

std::string fill_phrase(const char* pattern, std::initializer_list<std::string> args) {
  std::string out{pattern};
  std::size_t from = 0;
  for (const auto& arg : args) {
    auto at = out.find("%s", from);
    if (at == std::string::npos)
      break;
    out.replace(at, 2, arg);
    from = at + arg.size(); // an argument's own "%s" stays as it is
  }
  return out;
}

} // namespace sb
