#include "receptionist/phrases.hpp"

#include <array>

namespace sb::receptionist {

namespace {

// Written for a business reading its own cards: short, polite, formal
// address where the language has one.
constexpr std::array<phrases, 6> table{{
    {"en", "Job", "for", "on", "missing:", "call ended:",
     "No booking details were gathered on this call (%s); listen to the call and call back.",
     "Transferred to a person (%s).", "(no post-call analysis)",
     "Thanks for calling %s. How can I help you today?", "This call is recorded."},
    {"es", "Trabajo", "para", "el", "falta:", "llamada terminada:",
     "En esta llamada no se recogieron datos de la reserva (%s); escuche la llamada y devuelva "
     "la llamada.",
     "Transferida a una persona (%s).", "(sin análisis posterior a la llamada)",
     "Gracias por llamar a %s. ¿En qué puedo ayudarle?", "Esta llamada se graba."},
    {"fr", "Demande", "pour", "le", "manque :", "appel terminé :",
     "Aucun détail de réservation n'a été recueilli pendant cet appel (%s) ; écoutez l'appel et "
     "rappelez.",
     "Transféré à une personne (%s).", "(pas d'analyse après l'appel)",
     "Merci d'avoir appelé %s. Comment puis-je vous aider ?", "Cet appel est enregistré."},
    {"de", "Auftrag", "für", "am", "fehlt:", "Anruf beendet:",
     "Bei diesem Anruf wurden keine Buchungsdaten erfasst (%s); bitte den Anruf anhören und "
     "zurückrufen.",
     "An eine Person weitergeleitet (%s).", "(keine Analyse nach dem Anruf)",
     "Danke für Ihren Anruf bei %s. Wie kann ich Ihnen helfen?",
     "Dieser Anruf wird aufgezeichnet."},
    {"it", "Lavoro", "per", "il", "manca:", "chiamata terminata:",
     "In questa chiamata non sono stati raccolti dati di prenotazione (%s); ascolti la chiamata "
     "e richiami.",
     "Trasferita a una persona (%s).", "(nessuna analisi dopo la chiamata)",
     "Grazie per aver chiamato %s. Come posso aiutarla?", "Questa chiamata viene registrata."},
    {"pt", "Serviço", "para", "em", "falta:", "chamada terminada:",
     "Nesta chamada não foram recolhidos dados de marcação (%s); ouça a chamada e ligue de "
     "volta.",
     "Transferida para uma pessoa (%s).", "(sem análise após a chamada)",
     "Obrigado por ligar para %s. Como posso ajudar?", "Esta chamada é gravada."},
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

std::string fill(const char* pattern, const std::string& arg) {
  std::string out{pattern};
  if (auto at = out.find("%s"); at != std::string::npos)
    out.replace(at, 2, arg);
  return out;
}

} // namespace sb::receptionist
