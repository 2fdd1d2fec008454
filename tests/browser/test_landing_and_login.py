from playwright.sync_api import expect

from tests.org.test_login import current_code


def test_a_person_opens_the_site_switches_language_and_the_clerk_signs_in(
    transactional_db, live_server, personas, page
):
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "mn")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Хээл хахууль")

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(live_server.url + "/en/")
    expect(page.get_by_role("heading", name="Ways to complain")).to_be_visible()

    page.get_by_role("link", name="Монгол").click()
    expect(page).to_have_url(live_server.url + "/")
    page.get_by_role("link", name="Ажилтны нэвтрэлт").click()

    clerk = personas["clerk"]
    page.get_by_label("Нэвтрэх нэр").fill(clerk.username)
    page.get_by_label("Нууц үг").fill("correct horse battery staple")
    page.get_by_label("Баталгаажуулах аппын код").fill(current_code(clerk))
    page.get_by_role("button", name="Нэвтрэх").click()

    expect(page).to_have_url(live_server.url + "/staff/u/DG/")
    expect(page.get_by_text("Бичиг хэргийн ажилтан").first).to_be_visible()

    page.get_by_role("button", name="Гарах").click()
    expect(page).to_have_url(live_server.url + "/")


def test_the_landing_page_works_without_javascript(browser, transactional_db, live_server, units):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Ways to complain")).to_be_visible()
    context.close()


def test_the_landing_page_leads_to_the_open_figures(browser, transactional_db, live_server, units):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Нээлттэй тоон мэдээ").click()
    expect(page).to_have_url(live_server.url + "/open/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Нээлттэй тоон мэдээ")
    context.close()
