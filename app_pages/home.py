"""Accueil: what the diagnostic is, how long it takes; start, resume, or try the demo."""

import streamlit as st

from diagnostic.core.roles import Permission
from diagnostic.services import companies as company_service
from diagnostic.services import demo, demo_network
from diagnostic.services.context import Context
from diagnostic.services.questionnaires import shipped_questionnaire, shipped_questionnaires
from ui import state
from ui.state import t
from ui.text import authored, authored_label, plain


@state.guarded
def reset_demo(ctx: Context) -> None:
    demo_company, demo_assessment = demo.reset_demo(ctx)
    state.select_company(ctx, demo_company.id)
    state.select_assessment(ctx, demo_assessment.id)
    st.session_state.demo_reset = True


def main(ctx: Context) -> None:
    lang = ctx.lang
    st.title(t("home.title"))
    st.markdown(t("home.intro"))

    company = state.current_company(ctx)
    assessment = state.current_assessment(ctx)
    may_create = company_service.may(ctx, Permission.CREATE_COMPANY)
    left, middle, right = st.columns(3)
    with left:
        if may_create and st.button(t("home.start"), type="primary", width="stretch"):
            if demo.is_demo(company):  # a new diagnostic is for the person's own company, not the example
                st.session_state.creating_company = True
            state.switch_page("app_pages/company.py")
    with middle:
        if company is not None and assessment is not None:
            title = shipped_questionnaire(assessment.questionnaire_id)[0].model.title.get(lang)
            if st.button(t("home.resume", company=plain(company.name), assessment=title), width="stretch"):
                state.switch_page("app_pages/diagnostic.py")
    with right:
        if may_create and st.button(t("home.demo"), help=t("demo.home_help"), width="stretch"):
            demo_company, demo_assessment = demo.open_demo(ctx)  # the existing example, else a new one
            state.select_company(ctx, demo_company.id)
            state.select_assessment(ctx, demo_assessment.id)
            state.switch_page("app_pages/results.py")
        if demo_network.may_open(ctx) and st.button(t("demo.network"), help=t("demo.network_help"), width="stretch"):
            st.session_state.workspace_id = demo_network.open_demo_network(ctx)  # the existing one, else a new one
            state.select_company(ctx, None)
            st.session_state.open_page = "app_pages/network.py"  # once the navigation is the network's
            st.rerun()

    if demo.is_demo(company):
        st.info(t("demo.banner"), icon=":material/school:")
        if may_create:
            st.button(t("demo.reset"), help=t("demo.reset_help"), on_click=reset_demo, args=(ctx,), icon=":material/restart_alt:")
        if st.session_state.pop("demo_reset", False):
            st.success(t("demo.reset_done"))

    st.header(t("home.how"))
    for key in ("home.step1", "home.step2", "home.step3"):
        st.markdown(t(key))

    st.header(t("home.questionnaires"))
    for questionnaire in shipped_questionnaires():
        modules = ", ".join(authored_label(m.title.get(lang)) for m in questionnaire.model.modules)
        st.markdown(
            t(
                "home.questionnaire_modules" if modules else "home.questionnaire_line",
                title=authored_label(questionnaire.model.title.get(lang)),
                count=len(questionnaire.core_questions),
                minutes=questionnaire.model.estimated_minutes or "—",
                **({"modules": modules} if modules else {}),
            )
        )
        if questionnaire.model.description:
            st.caption(authored(questionnaire.model.description.get(lang)))

    with st.expander(t("home.scale")):
        scale = shipped_questionnaires()[0].model.maturity_scale
        for level in scale:
            st.markdown(authored(level.description.get(lang), lead=f"**{level.value} — {authored_label(level.label.get(lang))}** · "))


if __name__ == "__main__":
    main(state.context())
