"""Every UI string, in French (default) and English. Pages call t(key, lang) and never hard-code text."""

from __future__ import annotations

from decimal import Decimal

from babel import dates as babel_dates
from babel import numbers as babel_numbers

LANGS = ("fr", "en")

TEXTS: dict[str, tuple[str, str]] = {
    # app shell
    "app.title": ("Autodiag RSE", "Autodiag RSE"),
    "app.tagline": ("Autodiagnostic RSE · Performance Globale", "CSR self-assessment · Global Performance"),
    "nav.home": ("Accueil", "Home"),
    "nav.company": ("Entreprise", "Company"),
    "nav.diagnostic": ("Diagnostic", "Diagnostic"),
    "nav.results": ("Résultats", "Results"),
    "nav.plan": ("Plan d’action", "Action plan"),
    "nav.followup": ("Suivi", "Follow-up"),
    "sidebar.language": ("Langue", "Language"),
    "sidebar.company": ("Entreprise", "Company"),
    "sidebar.assessment": ("Diagnostic", "Assessment"),
    "sidebar.none_company": ("Aucune entreprise choisie", "No company selected"),
    "sidebar.none_assessment": ("Aucun diagnostic choisi", "No assessment selected"),
    "sidebar.choose_company": ("Choisir une entreprise", "Choose a company"),
    "sidebar.choose_assessment": ("Choisir un diagnostic", "Choose an assessment"),
    "status.in_progress": ("en cours", "in progress"),
    "status.completed": ("terminé", "completed"),
    "error.database": (
        "La base de données ne répond pas. Vos réponses déjà enregistrées sont conservées ; réessayez dans un instant.",
        "The database is not responding. Answers already saved are kept; try again in a moment.",
    ),
    "error.unexpected": (
        "Une erreur inattendue est survenue ; rien n’a été perdu. Rechargez la page.",
        "Something unexpected happened; nothing was lost. Reload the page.",
    ),
    # saving, and two people on one assessment (issue 7)
    "save.busy": (
        "Réponse NON enregistrée : la base de données est occupée par une autre opération (un import ?). Votre réponse précédente est affichée ; réessayez dans quelques secondes.",
        "Answer NOT saved: the database is busy with another operation (an import?). Your previous answer is shown; try again in a few seconds.",
    ),
    "save.unreachable": (
        "Réponse NON enregistrée : la base de données ne répond pas. Réessayez dans un instant : la page se remet à jour d’elle-même quand la base répond de nouveau.",
        "Answer NOT saved: the database is not responding. Try again in a moment: the page updates itself when the database answers again.",
    ),
    "save.failed": (
        "Réponse NON enregistrée à cause d’une erreur inattendue. Votre réponse précédente est affichée ; réessayez.",
        "Answer NOT saved because of an unexpected error. Your previous answer is shown; try again.",
    ),
    "save.gone": (
        "Réponse NON enregistrée : ce diagnostic n’existe plus (supprimé entre-temps).",
        "Answer NOT saved: this assessment no longer exists (deleted meanwhile).",
    ),
    "save.conflict": (
        "{who} a modifié cette réponse pendant que vous la lisiez : sa réponse est maintenant affichée. La vôtre n’a pas été enregistrée ; choisissez à nouveau pour la remplacer.",
        "{who} changed this answer while you were reading it: their answer is now shown. Yours was not saved; choose again to replace it.",
    ),
    "save.conflict_comment": (
        "{who} a modifié ce commentaire pendant que vous l’écriviez : le sien est affiché. Le vôtre n’a pas été enregistré, le voici pour le reprendre : « {mine} »",
        "{who} changed this comment while you were writing it: theirs is shown. Yours was not saved; here it is to reuse: “{mine}”",
    ),
    "save.merged": (
        "{who} a aussi modifié cette question : vos choix ont été ajoutés aux siens.",
        "{who} also changed this question: your choices were combined with theirs.",
    ),
    "save.someone": ("Une autre personne", "Someone else"),
    "save.comment_too_long": (
        "Commentaire NON enregistré : il dépasse {max} caractères.",
        "Comment NOT saved: it is longer than {max} characters.",
    ),
    "save.others_changed": (
        "D’autres réponses ont été modifiées par une autre personne : la page les affiche.",
        "Other answers were changed by someone else: the page now shows them.",
    ),
    # honest results (diagnostic/core/reading.py): provisional, not filled in, legal basics not answered
    "results.provisional": (
        "**Résultat provisoire** — questions applicables encore sans réponse : **{unanswered} sur {applicable}** (couverture {coverage} ; un résultat n’est confirmé qu’à partir de {threshold}\u00a0%). Le score et le niveau peuvent encore beaucoup changer.",
        "**Provisional result** — applicable questions not answered yet: **{unanswered} of {applicable}** (coverage {coverage}; a result is confirmed only from {threshold}%). The score and level may still change a lot.",
    ),
    "results.overall_provisional": ("Score provisoire", "Provisional score"),
    "results.level_provisional": ("Niveau provisoire", "Provisional level"),
    "results.first_unanswered": ("Reprendre le questionnaire", "Go on with the questionnaire"),
    "results.first_unanswered_help": (
        "Ouvre le diagnostic sur « {dimension} », la dimension de la première question sans réponse.",
        "Opens the diagnostic on “{dimension}”, the dimension of the first unanswered question.",
    ),
    "results.not_filled": ("non renseignée", "not filled in"),
    "results.not_concerned": ("non concernée", "not concerned"),
    "results.not_filled_list": (
        "Dimensions non renseignées, ni points forts ni points à renforcer : {dims}.",
        "Dimensions not filled in, neither strengths nor weaknesses: {dims}.",
    ),
    "results.radar_gaps": (
        "Les dimensions non renseignées ne sont pas tracées (ni à 0) : leur axe porte la mention « non renseignée ».",
        "Dimensions not filled in are not drawn (not at 0 either): their axis says “not filled in”.",
    ),
    "results.none_stands_out": (
        "Aucune dimension ne se détache : il faut au moins deux dimensions renseignées, de scores différents.",
        "No dimension stands out: it takes at least two filled-in dimensions with different scores.",
    ),
    "results.critical_unanswered_one": (
        "1 obligation légale n’est pas encore renseignée :",
        "1 legal basic is not answered yet:",
    ),
    "results.critical_unanswered_many": (
        "{count} obligations légales ne sont pas encore renseignées :",
        "{count} legal basics are not answered yet:",
    ),
    "results.critical_unanswered_why": (
        "Sans réponse, rien ne dit qu’une obligation est remplie ; non remplie, elle plafonne le niveau à « {cap} ».",
        "Without an answer nothing says a legal basic is met; an unmet one caps the level at “{cap}”.",
    ),
    "results.answer_critical": ("Répondre aux obligations légales", "Answer the legal basics"),
    "results.answer_critical_help": (
        "Ouvre le diagnostic sur « {dimension} », la dimension de la première obligation légale sans réponse.",
        "Opens the diagnostic on “{dimension}”, the dimension of the first unanswered legal basic.",
    ),
    # empty states
    "empty.no_company": (
        "Commencez par créer ou choisir une entreprise : son profil (effectif, secteur, sites) décide des questions qui s’appliquent.",
        "Start by creating or choosing a company: its profile (headcount, sector, sites) decides which questions apply.",
    ),
    "empty.no_assessment": (
        "Cette entreprise n’a pas encore de diagnostic choisi. Démarrez-en un depuis la page Entreprise.",
        "No assessment is selected for this company. Start one from the Company page.",
    ),
    "empty.go_company": ("Aller à la page Entreprise", "Go to the Company page"),
    "empty.no_answers": (
        "Aucune réponse pour l’instant : les résultats apparaîtront dès les premières réponses.",
        "No answers yet: results will appear with the first answers.",
    ),
    "empty.go_diagnostic": ("Répondre au diagnostic", "Answer the diagnostic"),
    # home
    "home.title": ("Où en est votre entreprise en matière de RSE ?", "Where does your company stand on CSR?"),
    "home.intro": (
        "Autodiag RSE mesure la maturité de votre entreprise sur les sept dimensions de la **Performance Globale** — "
        "gouvernance, qualité et clients, capital humain, environnement, éthique et achats, ancrage territorial, "
        "performance économique — reliées à l’ISO 26000 et au standard européen VSME. Vous obtenez un score par "
        "dimension, un niveau de maturité expliqué, et un plan d’action classé par priorité.",
        "Autodiag RSE measures your company’s maturity on the seven dimensions of **Global Performance** — "
        "governance, quality and customers, people, environment, ethics and purchasing, local roots, economic "
        "performance — mapped to ISO 26000 and the European VSME standard. You get a score per dimension, an "
        "explained maturity level, and an action plan ranked by priority.",
    ),
    "home.how": ("Comment ça marche", "How it works"),
    "home.step1": ("**1. L’entreprise** — son profil décide des questions qui s’appliquent.", "**1. The company** — its profile decides which questions apply."),
    "home.step2": (
        "**2. Le diagnostic** — environ 40 minutes (10 pour la version flash), idéalement à plusieurs. Chaque réponse est enregistrée aussitôt : vous pouvez vous arrêter et reprendre.",
        "**2. The diagnostic** — about 40 minutes (10 for the flash version), ideally with several people. Each answer is saved at once: you can stop and resume.",
    ),
    "home.step3": (
        "**3. Les résultats et le plan** — un radar, des scores transparents, des recommandations concrètes à mettre dans votre plan d’action.",
        "**3. Results and plan** — a radar, transparent scores, concrete recommendations to put in your action plan.",
    ),
    "home.start": ("Commencer un diagnostic", "Start a diagnostic"),
    "home.resume": ("Reprendre : {company} — {assessment}", "Resume: {company} — {assessment}"),
    "home.demo": ("Essayer avec un exemple", "Try it with an example"),
    "home.demo_help": (
        "Crée une entreprise fictive avec un diagnostic complet, pour voir les résultats en un clic.",
        "Creates a fictitious company with a completed assessment, to see results in one click.",
    ),
    "home.demo_created": ("Entreprise de démonstration créée.", "Demo company created."),
    "home.questionnaires": ("Questionnaires disponibles", "Available questionnaires"),
    "home.questionnaire_line": (
        "**{title}** — {count} questions, environ {minutes} minutes",
        "**{title}** — {count} questions, about {minutes} minutes",
    ),
    "home.scale": ("L’échelle de réponse", "The answer scale"),
    # company
    "company.title": ("Entreprise", "Company"),
    "company.select": ("Entreprise suivie", "Company"),
    "company.new": ("➕ Nouvelle entreprise", "➕ New company"),
    "company.form_new": ("Créer une entreprise", "Create a company"),
    "company.form_edit": ("Profil de l’entreprise", "Company profile"),
    "company.name": ("Nom de l’entreprise", "Company name"),
    "company.sector": ("Code NAF (secteur)", "NAF / NACE code (sector)"),
    "company.sector_help": (
        "Le code APE/NAF de votre extrait Kbis ou avis de situation Insee, par exemple 25.62A ou 16.23Z.",
        "The APE/NAF code from your company registration, for example 25.62A or 16.23Z.",
    ),
    "company.headcount": ("Effectif salarié", "Number of employees"),
    "company.headcount_help": (
        "Les seuils légaux (1, 11, 20, 50, 250 salariés) décident de certaines obligations et donc des questions posées.",
        "Legal thresholds (1, 11, 20, 50, 250 employees) decide some obligations and so the questions asked.",
    ),
    "company.sites": ("Nombre de sites", "Number of sites"),
    "company.production_site": ("Au moins un site de production (atelier, usine, chantier, entrepôt)", "At least one production site (workshop, plant, building site, warehouse)"),
    "company.tertiary": ("Au moins 1 000 m² de bureaux ou de commerces (décret tertiaire)", "At least 1,000 m² of offices or shops (tertiary decree)"),
    "company.notes": ("Notes", "Notes"),
    "company.unknown": ("Non renseigné", "Not given"),
    "company.save": ("Enregistrer", "Save"),
    "company.create": ("Créer l’entreprise", "Create the company"),
    "company.saved": ("Profil enregistré.", "Profile saved."),
    "company.created": ("Entreprise « {name} » créée.", "Company “{name}” created."),
    "company.name_required": ("Donnez un nom à l’entreprise.", "Give the company a name."),
    "company.name_invalid": (
        "Nom refusé : il contient un caractère invisible, de contrôle ou trompeur (des lettres latines mêlées à des lettres cyrilliques ou grecques dans un mot). Retapez-le. Détail : {details}",
        "Name refused: it holds an invisible, control or look-alike character (Latin letters mixed with Cyrillic or Greek ones in a word). Type it again. Detail: {details}",
    ),
    "company.notes_invalid": (
        "Notes refusées : elles contiennent un caractère de contrôle qui ne peut pas être enregistré. Détail : {details}",
        "Notes refused: they hold a control character that cannot be stored. Detail: {details}",
    ),
    "company.too_long": (
        "Texte trop long, rien n’a été enregistré : 200 caractères au plus pour le nom, 20 000 pour les notes ({details}).",
        "Text too long, nothing was saved: at most 200 characters for the name, 20,000 for the notes ({details}).",
    ),
    "company.sector_invalid": (
        "« {value} » n’est pas un code NAF : attendu par exemple 25.62A (ou une lettre de section A à U).",
        "“{value}” is not a NAF code: expected for example 25.62A (or a section letter A to U).",
    ),
    "company.assessments": ("Diagnostics de l’entreprise", "The company’s assessments"),
    "company.no_assessments": ("Aucun diagnostic pour l’instant.", "No assessment yet."),
    "company.new_assessment": ("Démarrer un nouveau diagnostic", "Start a new assessment"),
    # company: the next step, profile errors under their field, deletions; the demo (issue "The way through")
    "company.next_step": ("Prochaine étape\u00a0: choisissez votre diagnostic", "Next step: choose your diagnostic"),
    "company.next_step_help": (
        "Chaque réponse est enregistrée aussitôt\u00a0: vous pouvez vous arrêter et reprendre. Le flash donne une première photographie\u00a0; le complet couvre les sept dimensions en détail.",
        "Each answer is saved at once: you can stop and resume. The flash one gives a first picture; the full one covers the seven dimensions in detail.",
    ),
    "company.choice_flash": ("Diagnostic flash, environ {minutes} minutes", "Flash diagnostic, about {minutes} minutes"),
    "company.choice_full": ("Diagnostic complet, environ {minutes} minutes", "Full diagnostic, about {minutes} minutes"),
    "company.choice_other": ("{title}, environ {minutes} minutes", "{title}, about {minutes} minutes"),
    "company.choice_detail": ("{count} questions · {title}", "{count} questions · {title}"),
    "company.respondent_optional": ("Répondant (nom et fonction) — facultatif", "Respondent (name and role) — optional"),
    "company.profile_section": ("Profil de l’entreprise (nom, effectif, secteur, sites…)", "Company profile (name, headcount, sector, sites…)"),
    "company.sites_placeholder": ("par exemple 1", "for example 1"),
    "company.sites_invalid": (
        "Nombre de sites\u00a0: un nombre entier de 1 à 100\u00a0000 (ou laissez vide). Rien n’a été enregistré.",
        "Number of sites: a whole number from 1 to 100,000 (or leave it empty). Nothing was saved.",
    ),
    "company.form_has_errors": (
        "Rien n’a été enregistré\u00a0: corrigez ce qui est signalé en rouge ci-dessus.",
        "Nothing was saved: correct what is marked in red above.",
    ),
    "company.delete_assessment": ("Supprimer ce diagnostic", "Delete this assessment"),
    "company.delete_assessment_title": ("Supprimer ce diagnostic\u00a0?", "Delete this assessment?"),
    "company.delete_assessment_body": (
        "{line}\n\nSes réponses, ses commentaires et son plan d’action seront effacés définitivement (réponses\u00a0: {answers}, actions\u00a0: {actions}). C’est irréversible.",
        "{line}\n\nIts answers, comments and action plan will be erased for good (answers: {answers}, actions: {actions}). This cannot be undone.",
    ),
    "company.delete_confirm": ("Supprimer définitivement", "Delete for good"),
    "company.cancel": ("Annuler", "Cancel"),
    "company.assessment_deleted": (
        "Diagnostic supprimé ({label})\u00a0: ses réponses ({answers}), commentaires et actions ({actions}) sont effacés.",
        "Assessment deleted ({label}): its answers ({answers}), comments and actions ({actions}) are erased.",
    ),
    "company.danger_zone": ("Effacer les données de l’entreprise", "Erase the company’s data"),
    "company.danger_help": (
        "Droit à l’effacement\u00a0: supprimez l’entreprise avec tout ce qui lui appartient. Pour un seul diagnostic, utilisez «\u00a0Supprimer ce diagnostic\u00a0» dans la liste ci-dessus.",
        "Right to erasure: delete the company with everything that belongs to it. For one assessment only, use “Delete this assessment” in the list above.",
    ),
    "company.delete_company": ("Supprimer l’entreprise", "Delete the company"),
    "company.delete_company_title": ("Supprimer l’entreprise\u00a0?", "Delete the company?"),
    "company.delete_company_body": (
        "L’entreprise «\u00a0{name}\u00a0» et tout ce qui lui appartient seront effacés définitivement\u00a0: son profil, ses notes, ses diagnostics ({assessments}), leurs réponses et commentaires ({answers}), leurs plans d’action ({actions}). C’est irréversible.",
        "The company “{name}” and everything that belongs to it will be erased for good: its profile, notes, assessments ({assessments}), their answers and comments ({answers}), their action plans ({actions}). This cannot be undone.",
    ),
    "company.delete_type_name": ("Pour confirmer, tapez le nom de l’entreprise\u00a0: {name}", "To confirm, type the company’s name: {name}"),
    "company.delete_name_mismatch": (
        "Le nom tapé n’est pas celui de l’entreprise\u00a0: rien n’a été supprimé.",
        "The name typed is not the company’s: nothing was deleted.",
    ),
    "company.company_deleted": (
        "Entreprise «\u00a0{name}\u00a0» supprimée avec tout ce qui lui appartenait\u00a0: diagnostics ({assessments}), réponses et commentaires ({answers}), actions ({actions}).",
        "Company “{name}” deleted with everything that belonged to it: assessments ({assessments}), answers and comments ({answers}), actions ({actions}).",
    ),
    "company.already_deleted": ("Déjà supprimé entre-temps (par un autre écran).", "Already deleted meanwhile (from another screen)."),
    "company.import_into_demo": ("Dans l’entreprise d’exemple «\u00a0{name}\u00a0»", "Into the example company “{name}”"),
    "demo.banner": (
        "**Ceci est une entreprise d’exemple, fictive.** Regardez le radar et le niveau (Résultats), le plan d’action classé par priorité (Plan d’action) et les progrès depuis le diagnostic précédent (Suivi). Ce que vous y changez ne touche que l’exemple.",
        "**This is a fictitious example company.** Look at the radar and the level (Results), the action plan ranked by priority (Action plan) and the progress since the previous assessment (Follow-up). What you change here only touches the example.",
    ),
    "demo.reset": ("Réinitialiser l’exemple", "Reset the example"),
    "demo.reset_help": (
        "Efface l’entreprise d’exemple avec ce que vous y avez changé et la recrée telle qu’au départ.",
        "Erases the example company with what you changed in it and creates it again as it was.",
    ),
    "demo.reset_done": ("L’exemple a été recréé tel qu’au départ.", "The example was created again as it was."),
    "demo.own_company": ("Créer ma propre entreprise", "Create my own company"),
    "demo.home_help": (
        "Ouvre une entreprise fictive déjà diagnostiquée (résultats, plan d’action, suivi), créée au premier clic puis réutilisée.",
        "Opens a fictitious company already assessed (results, action plan, follow-up), created on the first click and reused afterwards.",
    ),
    "demo.banner_short": (
        "Entreprise d’exemple, fictive\u00a0: regardez le radar (Résultats), le plan d’action et le Suivi. Ce que vous y changez ne touche que l’exemple (« Réinitialiser l’exemple » sur la page Entreprise).",
        "Fictitious example company: look at the radar (Results), the action plan and the Follow-up. What you change here only touches the example (“Reset the example” on the Company page).",
    ),
    "company.questionnaire_skipped": (
        "Le fichier de questionnaire « {file} » est invalide et a été ignoré (détails : python -m diagnostic validate questionnaires/).",
        "The questionnaire file “{file}” is invalid and was skipped (details: python -m diagnostic validate questionnaires/).",
    ),
    "company.questionnaire": ("Questionnaire", "Questionnaire"),
    "company.respondent": ("Répondant (nom et fonction)", "Respondent (name and role)"),
    "company.start": ("Démarrer", "Start"),
    "company.open": ("Ouvrir", "Open"),
    "company.started": ("Diagnostic démarré : répondez dimension par dimension.", "Assessment started: answer one dimension at a time."),
    "company.assessment_line": ("{label} — {questionnaire} · {date} · {status} · réponses : {answered}", "{label} — {questionnaire} · {date} · {status} · answers: {answered}"),
    "company.profile_changed": (
        "Le profil a changé : les questions qui s’appliquent sont recalculées, aucune réponse n’est effacée.",
        "The profile changed: applicable questions are recomputed; no answer is deleted.",
    ),
    # diagnostic
    "diag.title": ("Diagnostic", "Diagnostic"),
    "diag.dimension": ("Dimension", "Dimension"),
    "diag.progress": ("{answered} / {applicable} questions répondues", "{answered} / {applicable} questions answered"),
    "diag.dimension_progress": ("Dimension : {answered} / {applicable}", "Dimension: {answered} / {applicable}"),
    "diag.saved_note": (
        "Chaque réponse est enregistrée dès que vous la donnez.",
        "Each answer is saved as soon as you give it.",
    ),
    "diag.na": ("Non concerné", "Not applicable"),
    "diag.dont_know": ("Je ne sais pas", "Don't know"),
    "diag.yes": ("Oui", "Yes"),
    "diag.no": ("Non", "No"),
    "diag.help": ("Aide et références", "Help and references"),
    "diag.show_help": ("Afficher l’aide de chaque question", "Show the help of each question"),
    "diag.show_help_hint": (
        "Explications des termes, textes de loi et références (ISO 26000, VSME, ODD) sous chaque question.",
        "Explanations of terms, legal texts and references (ISO 26000, VSME, SDG) under each question.",
    ),
    "diag.comment": ("Commentaire", "Comment"),
    "diag.comment_placeholder": ("Précisions, preuve disponible, point à vérifier…", "Details, evidence available, point to check…"),
    "diag.critical": ("Obligation légale", "Legal basic"),
    "diag.references": ("Références", "References"),
    "diag.number_placeholder": ("Saisissez un nombre", "Enter a number"),
    "diag.choose": ("Choisissez les réponses qui s’appliquent", "Choose the answers that apply"),
    "diag.exclusive_error": (
        "« {option} » ne peut pas être combiné avec d’autres réponses : rien n’a été enregistré.",
        "“{option}” cannot be combined with other answers: nothing was saved.",
    ),
    "diag.invalid": ("Réponse refusée : {error}", "Answer refused: {error}"),
    "diag.no_question": ("Aucune question de cette dimension ne s’applique à votre entreprise.", "No question of this dimension applies to your company."),
    "diag.finish": ("Marquer le diagnostic comme terminé", "Mark the assessment as completed"),
    "diag.reopen": ("Rouvrir le diagnostic", "Reopen the assessment"),
    "diag.completed": ("Diagnostic terminé. Vous pouvez encore modifier vos réponses.", "Assessment completed. You can still change your answers."),
    "diag.see_results": ("Voir les résultats", "See the results"),
    # the way through the diagnostic: dimension steps, completion, next unanswered question
    "diag.dimension_status": (
        "Dimension {number}/{count} · {answered} / {applicable} questions répondues",
        "Dimension {number}/{count} · {answered} / {applicable} questions answered",
    ),
    "diag.next_dimension": ("Dimension suivante →", "Next dimension →"),
    "diag.previous_dimension": ("← Dimension précédente", "← Previous dimension"),
    "diag.next_unanswered": ("Question suivante sans réponse", "Next unanswered question"),
    "diag.all_answered": ("Toutes les questions ont une réponse.", "Every question has an answer."),
    "diag.level_descriptions": ("Ce que signifie chaque niveau pour cette question", "What each level means for this question"),
    # results
    "results.title": ("Résultats", "Results"),
    "results.overall": ("Score global", "Overall score"),
    "results.level": ("Niveau", "Level"),
    "results.coverage": ("Couverture", "Coverage"),
    "results.capped": (
        "Niveau plafonné à « {level} » : une obligation légale n’est pas remplie (sans cela : « {by_score} »).",
        "Level capped at “{level}”: a legal basic is not met (otherwise: “{by_score}”).",
    ),
    "results.radar": ("Radar des dimensions", "Dimensions radar"),
    "results.current": ("Ce diagnostic", "This assessment"),
    "results.target": ("Objectif", "Target"),
    "results.previous": ("Diagnostic précédent ({date})", "Previous assessment ({date})"),
    "results.by_dimension": ("Scores par dimension", "Scores by dimension"),
    "results.col_dimension": ("Dimension", "Dimension"),
    "results.col_score": ("Score /100", "Score /100"),
    "results.col_coverage": ("Couverture", "Coverage"),
    "results.col_target": ("Objectif", "Target"),
    "results.col_previous": ("Précédent", "Previous"),
    "results.col_confidence": ("Confiance", "Confidence"),
    "results.low_confidence": ("⚠ faible", "⚠ low"),
    "results.ok_confidence": ("bonne", "good"),
    "results.low_confidence_help": (
        "Confiance faible : moins de {coverage} % des questions répondues, ou plus de {dont_know} % de « je ne sais pas ».",
        "Low confidence: fewer than {coverage}% of questions answered, or more than {dont_know}% “don't know”.",
    ),
    "results.strengths": ("Points forts", "Strengths"),
    "results.weaknesses": ("Points à renforcer", "Areas to strengthen"),
    "results.critical": ("Obligations légales à traiter", "Legal basics to address"),
    "results.critical_unanswered": ("Obligations légales sans réponse", "Legal basics not answered"),
    "results.no_critical": ("Aucune obligation légale non remplie parmi les réponses.", "No unmet legal basic among the answers."),
    "results.rules": ("Comment ce niveau est calculé", "How this level is computed"),
    "results.rules_intro": (
        "Un niveau est atteint quand le score global atteint son seuil **et** que chaque dimension atteint son plancher (pas de compensation). Une obligation légale non remplie plafonne le niveau à « {cap} ».",
        "A level is reached when the overall score meets its threshold **and** every dimension meets its floor (no compensation). An unmet legal basic caps the level at “{cap}”.",
    ),
    "results.rule_level": ("Niveau", "Level"),
    "results.rule_threshold": ("Score global ≥", "Overall ≥"),
    "results.rule_floor": ("Chaque dimension ≥", "Every dimension ≥"),
    "results.rule_reached": ("Atteint ?", "Reached?"),
    "results.rule_yes": ("✔ oui", "✔ yes"),
    "results.rule_no_overall": ("✘ score global insuffisant", "✘ overall score too low"),
    "results.rule_no_floor": ("✘ sous le plancher : {dims}", "✘ below the floor: {dims}"),
    "results.targets": ("Objectifs par dimension", "Targets by dimension"),
    "results.targets_help": ("Fixez avec le dirigeant un objectif de score par dimension : il apparaît sur le radar.", "Set a score target per dimension with the manager: it appears on the radar."),
    "results.targets_save": ("Enregistrer les objectifs", "Save the targets"),
    "results.targets_saved": ("Objectifs enregistrés.", "Targets saved."),
    "results.exports": ("Exporter", "Export"),
    "results.score_method": (
        "Score d’une dimension = 100 × Σ(poids × valeur) ÷ Σ(poids × maximum) sur les questions répondues et applicables ; « non concerné » est exclu, « je ne sais pas » compte 0.",
        "Dimension score = 100 × Σ(weight × value) ÷ Σ(weight × maximum) over the answered, applicable questions; N/A is left out, “don't know” counts 0.",
    ),
    # exports and import
    "export.title": ("Exporter pour le suivi", "Export for follow-up"),
    "export.pdf": ("Rapport PDF", "PDF report"),
    "export.xlsx": ("Classeur Excel", "Excel workbook"),
    "export.json": ("Fichier JSON (sauvegarde, transfert)", "JSON file (backup, transfer)"),
    "export.failed": (
        "Le fichier « {file} » n’a pas pu être créé. L’erreur est enregistrée dans le journal de l’application ; vos réponses sont intactes. Réessayez, ou choisissez un autre format.",
        "The file “{file}” could not be created. The error is recorded in the application log; your answers are safe. Try again, or choose another format.",
    ),
    "import.title": ("Importer un diagnostic (fichier JSON)", "Import an assessment (JSON file)"),
    "import.help": (
        "Un fichier exporté depuis Autodiag RSE, sur ce poste ou un autre. Il est vérifié en entier avant que quoi que ce soit ne soit enregistré.",
        "A file exported from Autodiag RSE, on this machine or another. It is checked whole before anything is saved.",
    ),
    "import.file": ("Fichier à importer", "File to import"),
    "import.summary": (
        "« {company} » — {questionnaire}, {answers} réponses, {actions} actions.",
        "“{company}” — {questionnaire}, {answers} answers, {actions} actions.",
    ),
    "import.match": (
        "Une entreprise du même nom existe déjà. Où importer ce diagnostic ?",
        "A company with the same name already exists. Where should this assessment go?",
    ),
    "import.new_company": ("Créer une nouvelle entreprise", "Create a new company"),
    "import.existing": ("Dans l’entreprise existante « {name} » (créée le {date})", "Into the existing company “{name}” (created {date})"),
    "import.confirm": ("Importer", "Import"),
    "import.done": ("Diagnostic importé.", "Assessment imported."),
    "import.dropped": (
        "Ce fichier a été fait avec une autre version du questionnaire : {count} réponse(s) n’ont pas pu être reprises.",
        "This file was made with another version of the questionnaire: {count} answer(s) could not be carried over.",
    ),
    "import.too_big": ("Fichier refusé : il dépasse 5 Mo.", "File refused: it is larger than 5 MB."),
    "import.not_json": (
        "Fichier refusé : ce n’est pas un fichier JSON lisible (tronqué ou abîmé ?). Rien n’a été enregistré. ({details})",
        "File refused: it is not readable JSON (truncated or damaged?). Nothing was saved. ({details})",
    ),
    "import.foreign": (
        "Fichier refusé : ce n’est pas un diagnostic exporté par Autodiag RSE. Rien n’a été enregistré.",
        "File refused: it is not an assessment exported by Autodiag RSE. Nothing was saved.",
    ),
    "import.invalid": (
        "Fichier refusé : son contenu n’est pas valide. Rien n’a été enregistré. ({details})",
        "File refused: its content is not valid. Nothing was saved. ({details})",
    ),
    "import.unknown_questionnaire": (
        "Fichier refusé : le questionnaire « {details} » n’existe pas sur ce poste. Rien n’a été enregistré.",
        "File refused: the questionnaire “{details}” does not exist on this machine. Nothing was saved.",
    ),
    "import.too_deep": (
        "Fichier refusé : ses données sont imbriquées bien plus profondément que dans un diagnostic. Rien n’a été enregistré. ({details})",
        "File refused: its data is nested far deeper than in an assessment. Nothing was saved. ({details})",
    ),
    "import.duplicate_key": (
        "Fichier refusé : une même clé y figure deux fois, on ne peut pas savoir laquelle croire. Rien n’a été enregistré. ({details})",
        "File refused: the same key appears twice in it, so there is no knowing which one to believe. Nothing was saved. ({details})",
    ),
    "import.not_finite": (
        "Fichier refusé : un nombre y est infini ou « NaN », ce qu’un diagnostic ne contient jamais. Rien n’a été enregistré. ({details})",
        "File refused: a number in it is infinite or “NaN”, which an assessment never holds. Nothing was saved. ({details})",
    ),
    "import.huge_number": (
        "Fichier refusé : un nombre y a beaucoup trop de chiffres. Rien n’a été enregistré. ({details})",
        "File refused: a number in it has far too many digits. Nothing was saved. ({details})",
    ),
    "import.bad_character": (
        "Fichier refusé : un texte contient un caractère interdit (caractère nul, de contrôle ou invisible). Rien n’a été enregistré. ({details})",
        "File refused: a text contains a forbidden character (null, control or invisible character). Nothing was saved. ({details})",
    ),
    "import.mixed_script": (
        "Fichier refusé : un nom mêle dans un même mot des lettres latines et des lettres cyrilliques ou grecques qui leur ressemblent ; il imiterait un autre nom. Rien n’a été enregistré. ({details})",
        "File refused: a name mixes, within one word, Latin letters with look-alike Cyrillic or Greek letters; it would imitate another name. Nothing was saved. ({details})",
    ),
    "import.too_long": (
        "Fichier refusé : un texte ou une liste dépasse la taille permise. Rien n’a été enregistré. ({details})",
        "File refused: a text or a list is longer than allowed. Nothing was saved. ({details})",
    ),
    "import.out_of_range": (
        "Fichier refusé : une valeur (nombre ou date) sort des limites permises. Rien n’a été enregistré. ({details})",
        "File refused: a value (number or date) is outside the allowed range. Nothing was saved. ({details})",
    ),
    "import.blank": (
        "Fichier refusé : un nom obligatoire est vide ou fait seulement d’espaces. Rien n’a été enregistré. ({details})",
        "File refused: a required name is empty or made only of spaces. Nothing was saved. ({details})",
    ),
    "import.unknown_question": (
        "Fichier refusé : il répond à une question qui n’existe pas dans la version du questionnaire qu’il annonce (fichier abîmé ?). Rien n’a été enregistré. ({details})",
        "File refused: it answers a question that does not exist in the questionnaire version it names (damaged file?). Nothing was saved. ({details})",
    ),
    "import.invalid_answer": (
        "Fichier refusé : une réponse ne correspond pas à sa question dans la version du questionnaire qu’il annonce (fichier abîmé ?). Rien n’a été enregistré. ({details})",
        "File refused: an answer does not fit its question in the questionnaire version it names (damaged file?). Nothing was saved. ({details})",
    ),
    # plan
    "plan.title": ("Plan d’action", "Action plan"),
    "plan.recommendations": ("Recommandations classées par priorité", "Recommendations ranked by priority"),
    "plan.priority_help": (
        "Priorité = poids de la dimension × poids de la question × écart au maximum × impact ÷ effort.",
        "Priority = dimension weight × question weight × gap to the maximum × impact ÷ effort.",
    ),
    "plan.quick_wins": ("Gains rapides", "Quick wins"),
    "plan.quick_wins_help": ("Effort léger, impact réel : à lancer dès le mois prochain.", "Light effort, real impact: to start next month."),
    "plan.projects": ("Projets structurants", "Structuring projects"),
    "plan.projects_help": ("Des chantiers à planifier, avec un responsable et une échéance.", "Projects to plan, with an owner and a deadline."),
    "plan.none": ("Aucune recommandation pour les réponses actuelles.", "No recommendation for the current answers."),
    "plan.col_priority": ("Priorité", "Priority"),
    "plan.col_recommendation": ("Recommandation", "Recommendation"),
    "plan.col_dimension": ("Dimension", "Dimension"),
    "plan.col_effort": ("Effort", "Effort"),
    "plan.col_impact": ("Impact", "Impact"),
    "plan.add": ("Ajouter", "Add"),
    "plan.added": ("Ajouté au plan d’action.", "Added to the action plan."),
    "plan.already": ("Dans le plan", "In the plan"),
    "plan.actions": ("Le plan d’action", "The action plan"),
    "plan.actions_help": (
        "Modifiez directement le tableau : chaque modification est enregistrée. Ajoutez une ligne pour une action libre.",
        "Edit the table directly: each change is saved. Add a row for an action of your own.",
    ),
    "plan.empty_actions": ("Le plan est vide : ajoutez des recommandations ci-dessus ou une action libre.", "The plan is empty: add recommendations above or an action of your own."),
    "plan.col_action": ("Action", "Action"),
    "plan.col_owner": ("Responsable", "Owner"),
    "plan.col_due": ("Échéance", "Due date"),
    "plan.col_status": ("Statut", "Status"),
    "plan.col_notes": ("Notes", "Notes"),
    "plan.saved": ("Plan enregistré.", "Plan saved."),
    "plan.title_required": ("Une action a besoin d’un intitulé : la ligne vide n’a pas été enregistrée.", "An action needs a title: the empty row was not saved."),
    "plan.conflict": (
        "Une autre personne a modifié cette case entre-temps : sa valeur est affichée, la vôtre n’a pas été enregistrée.",
        "Someone else changed this cell meanwhile: their value is shown, yours was not saved.",
    ),
    "plan.gone": (
        "Cette action a été supprimée par une autre personne pendant que vous la modifiiez : votre modification n’a pas été enregistrée.",
        "This action was deleted by someone else while you were editing it: your change was not saved.",
    ),
    "plan.delete_conflict": (
        "Cette action a été modifiée par une autre personne entre-temps : elle n’a pas été supprimée. Vérifiez-la, puis supprimez-la à nouveau si besoin.",
        "This action was changed by someone else meanwhile: it was not deleted. Check it, then delete it again if need be.",
    ),
    "plan.too_long": (
        "Texte trop long, NON enregistré : 1 000 caractères au plus pour l’intitulé, 200 pour le responsable, 10 000 pour les notes.",
        "Text too long, NOT saved: at most 1,000 characters for the title, 200 for the owner, 10,000 for the notes.",
    ),
    "plan.bad_date": (
        "Échéance refusée : choisissez une date entre 1970 et 2100.",
        "Due date refused: choose a date between 1970 and 2100.",
    ),
    "plan.too_many": (
        "Un plan compte au plus 500 actions : les lignes en trop n’ont pas été enregistrées.",
        "A plan holds at most 500 actions: the extra rows were not saved.",
    ),
    # the plan as cards, one edit form at a time (phone and wide screen alike)
    "plan.cards_help": (
        "Chaque action se modifie avec son bouton « Modifier » ; rien n’est enregistré avant « Enregistrer ».",
        "Change an action with its “Edit” button; nothing is saved before “Save”.",
    ),
    "plan.to_recommendations": ("Recommandations à ajouter ({count}) ↓", "Recommendations to add ({count}) ↓"),
    "plan.empty_below": (
        "Le plan est vide : ajoutez des recommandations (ci-dessous) ou créez une action.",
        "The plan is empty: add recommendations (below) or create an action.",
    ),
    "plan.edit": ("Modifier", "Edit"),
    "plan.save": ("Enregistrer", "Save"),
    "plan.cancel": ("Annuler", "Cancel"),
    "plan.delete": ("Supprimer", "Delete"),
    "plan.deleted": ("Action supprimée.", "Action deleted."),
    "plan.edited": ("Action enregistrée.", "Action saved."),
    "plan.new": ("Nouvelle action", "New action"),
    "plan.create": ("Créer l’action", "Create the action"),
    "plan.created": ("Action créée.", "Action created."),
    "plan.no_owner": ("sans responsable", "no owner"),
    "plan.no_due": ("sans échéance", "no due date"),
    "plan.due_help": ("Laissez vide s’il n’y a pas d’échéance.", "Leave empty when there is no due date."),
    "plan.from_priority": ("priorité {priority}", "priority {priority}"),
    "plan.changed_meanwhile": (
        "Une autre personne vient de modifier cette action : « Enregistrer » n’écrasera pas ses changements sans vous le dire.",
        "Someone else has just changed this action: “Save” will not overwrite their changes without telling you.",
    ),
    "plan.form_conflict": (
        "Une autre personne a modifié cette action entre-temps : ses valeurs sont maintenant dans le formulaire, rien de votre saisie n’a été enregistré. Vérifiez, puis enregistrez à nouveau.",
        "Someone else changed this action meanwhile: their values are now in the form, nothing you typed was saved. Check, then save again.",
    ),
    "plan.progress": ("{done} action(s) faite(s) sur {total}", "{done} of {total} action(s) done"),
    "plan.more": ("Afficher les {count} autres", "Show the {count} others"),
    # follow-up
    "followup.title": ("Suivi", "Follow-up"),
    "followup.history": ("Évolution des scores", "Scores over time"),
    "followup.only_one": (
        "Un seul diagnostic pour cette entreprise : refaites-le dans quelques mois pour mesurer vos progrès.",
        "Only one assessment for this company: run it again in a few months to measure progress.",
    ),
    "followup.compare": ("Comparer deux diagnostics", "Compare two assessments"),
    "followup.before": ("Avant", "Before"),
    "followup.after": ("Après", "After"),
    "followup.delta": ("Évolution", "Change"),
    "followup.went_up": ("Ce qui a progressé", "What went up"),
    "followup.went_down": ("Ce qui a reculé", "What went down"),
    "followup.nothing_changed": ("Aucune réponse n’a changé.", "No answer changed."),
    "followup.question": ("Question", "Question"),
    "followup.overall": ("Score global", "Overall score"),
    "followup.actions": ("Avancement du plan d’action", "Action plan progress"),
    "followup.no_actions": ("Aucune action dans le plan de ce diagnostic.", "No action in this assessment’s plan."),
    "followup.date": ("Date", "Date"),
    "followup.level": ("Niveau", "Level"),
}


def t(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang` ("fr" or "en"), with {placeholders} filled in."""
    fr, en = TEXTS[key]
    text = en if lang == "en" else fr
    return text.format(**values) if values else text


def headcount_label(band: str | None, lang: str) -> str:
    if band is None:
        return t("company.unknown", lang)
    labels = {
        "0": ("Aucun salarié", "No employee"),
        "1-10": ("1 à 10 salariés", "1 to 10 employees"),
        "11-19": ("11 à 19 salariés", "11 to 19 employees"),
        "20-49": ("20 à 49 salariés", "20 to 49 employees"),
        "50-249": ("50 à 249 salariés", "50 to 249 employees"),
        "250+": ("250 salariés et plus", "250 employees or more"),
    }
    fr, en = labels[band]
    return en if lang == "en" else fr


# Numbers and dates are written the way each language writes them, by Babel (CLDR data): French
# "1 234,5" (narrow no-break space, decimal comma), "42 %", "30 nov. 2026"; English "1,234.5",
# "42%", "30 Nov 2026". English is British English: day before month, as the French reader expects.
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def _locale(lang: str) -> str:
    return _LOCALES.get(lang, "fr_FR")


def _exact(value: float) -> Decimal:
    # the float's exact value: Babel then rounds half-even as Python's own formatting does
    return value if isinstance(value, Decimal) else Decimal(value)


def format_date(moment: object, lang: str, width: str = "long") -> str:
    """"20 novembre 2026" / "20 November 2026" (width "long"); "20 nov. 2026" / "20 Nov 2026"
    (width "medium", for narrow places); "—" for no date. A datetime is shown by its date."""
    if moment is None:
        return "—"
    return babel_dates.format_date(moment, format=width, locale=_locale(lang))  # type: ignore[arg-type]


def format_number(value: float | None, lang: str, decimals: int = 0) -> str:
    """4 → "4,00" (fr) / "4.00" (en) with decimals=2; 1234.5 → "1 234,5" / "1,234.5" with decimals=1."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return babel_numbers.format_decimal(_exact(value), format=pattern, locale=_locale(lang))


def format_score(value: float | None, lang: str = "fr") -> str:
    """Scores are rounded once, here, at display (a whole number out of 100)."""
    return format_number(value, lang, 0)


def format_percent(value: float | None, lang: str = "fr") -> str:
    """0.42 → "42 %" (fr, with a no-break space) / "42%" (en)."""
    if value is None:
        return "—"
    return babel_numbers.format_percent(_exact(value), locale=_locale(lang))
