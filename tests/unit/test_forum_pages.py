"""Real forum pages of many engines (../shared/data): the engine is named, every post is found with
its text, its author and its own date.

The expected values are read off each saved page by hand: the first and the last post's author,
date (the post header's or permalink's, never a join date) and opening words, and the number of
posts that carry text of their own. Browser-saved pages show relative dates as text, so the date
asserted is the absolute one the page holds beside it (a ``datetime``/``title`` attribute, or the
header text).
"""

from datetime import datetime

import pytest

from scrapers.forums.detect import detect_engine, forum_engines
from scrapers.http import Response

MULTI, DOSTIPS = "forum_html_multi_engine", "forum_phpbb_dostips_html"
FETCHED = datetime(2024, 5, 27, 12, 0)  # the benchmark saved these pages in late May 2024


def P(folder, name, url, engine, posts, first, last, opener=True):
    return pytest.param(folder, name, url, engine, posts, first, last, opener, id=name[:48])


# (author, date, opening words) of the first and the last post on the page.
PAGES = [
    P(MULTI, "discourse__forum.uipath.com__t-how-to-run-uipath-studio-and-studiox-on-same-computer-421.html",
      "https://forum.uipath.com/t/how-to-run-uipath-studio-and-studiox-on-same-computer/421350", "discourse", 4,
      ("Ravindra_Kumar", "2022-05-07T03:00:45.453", "How to Run UiPath studio and Studiox on same computer"),
      ("fernando_zuluaga", "2022-05-07T03:51:13.698", "great, kindly mark as solution")),
    P(MULTI, "discourse__forum.uipath.com__t-uipath-load-testing-739028-3.html",
      "https://forum.uipath.com/t/uipath-load-testing/739028/3", "discourse", 7,
      ("robert.wagner", "2024-05-06T09:35:07.707", "Hi UiPath community!"),
      ("ali.koundi1", "2024-05-24T16:26:10.859", "Hi,I would be very interested.")),
    P(MULTI, "discuz__csolbbs.tiancity.com__forum-php-mod-viewthread-tid-38672-lastpost.html",
      "https://csolbbs.tiancity.com/forum.php?mod=viewthread&tid=38672", "discuz", 4,
      ("前程往事", "2024-04-05T23:20:45", "建议对鼠神进行改版"), ("故乡故事里的故人", "2024-05-06T12:47:42", "莲花能自动蓄能恢复")),
    P(MULTI, "flarum__community.sunrise.ch__d-36387-abbonamento-in-pausa-upc-in-sunrise-no.html",
      "https://community.sunrise.ch/d/36387-abbonamento-in-pausa-upc-in-sunrise-no", "flarum", 3,
      ("Ester", "2024-05-16T04:23:21", "Buongiorno, c’è stata la migrazione"),
      ("Ester", "2024-05-16T10:33:18", "Grazie mille Daniele")),
    P(MULTI, "flarum__discuss.flarum.org.cn__d-15448-3.html", "https://discuss.flarum.org.cn/d/15448/3", "flarum", 6,
      ("Emin", "2023-10-02T05:56:52", "介绍"), ("isle24", "2023-12-07T02:32:39", "更新了之后有了配置了")),
    P(MULTI, "flarum__discuss.flarum.org.cn__d-15648.html", "https://discuss.flarum.org.cn/d/15648", "flarum", 10,
      ("有点蠢", "2024-05-15T12:20:00", "问题描述（报错内容）"), ("有点蠢", "2024-05-17T07:44:01", "寒冰冽 好的")),
    P(MULTI, "flaskbb__forums.flaskbb.org__topic-2295-need-some-help-to-install-flaskbb-on-windows.html",
      "https://forums.flaskbb.org/topic/2295-need-some-help-to-install-flaskbb-on-windows", "flaskbb", 5,
      ("codeless", "2020-02-09T09:33:17.452463", "Hello i want to install FlaskBB on windows 10"),
      ("mr_yemets", "2020-03-10T10:46:38.338446", "my comment goes here for the test")),
    P(MULTI, "invision__forum.squarespace.com__topic-296584-how-can-i-have-the-same-image-at-the-top-of-al.html",
      "https://forum.squarespace.com/topic/296584-how-can-i-have-the-same-image-at-the-top-of-all-my-blog-posts/",
      "invision", 4, ("johngo", "2024-05-06T23:24:22", "Hello Squarespace friends,"),
      ("tuanphan", "2024-05-08T08:22:47", "Thank you!")),
    P(MULTI, "invision__forum.squarespace.com__topic-298933-how-to-hide-specific-product-variant-options-f.html",
      "https://forum.squarespace.com/topic/298933-how-to-hide-specific-product-variant-options-from-product-detail-"
      "page/", "invision", 2, ("CooperV", "2024-05-20T15:14:02", "Hi There,"),
      ("colin.irwin", "2024-05-20T16:12:56", "You can't hide them")),
    P(MULTI, "kunena__kunena.org__forum-general-questions-and-how-tos-168417-social-login-opt.html",
      "https://www.kunena.org/forum/general-questions-and-how-tos/168417-social-login-options-like-facebook",
      "kunena", 1, ("mvvfans", "2024-04-28T17:37:00", "Hi all,"), ("mvvfans", "2024-04-28T17:37:00", "Hi all,")),
    P(MULTI, "kunena__kunena.org__forum-k-6-3-0-support-168431-forum-statistics-bug-return-va.html",
      "https://www.kunena.org/forum/k-6-3-0-support/168431-forum-statistics-bug-return-value-must-be-of-type-array",
      "kunena", 3, ("ssnobben", "2024-05-06T11:18:00", "Hi got this error latest Kunena"),
      ("xillibit", "2024-05-06T22:46:00", "I'am not able to reproduce this issue")),
    P(MULTI, "misago__misago-project.org__t-lost-connection-with-the-application-1289-post-6344.html",
      "https://misago-project.org/t/lost-connection-with-the-application/1289/", "misago", 3,
      ("ankitsaini_ei", "2024-05-20T19:04:00", "I have checked everything seems fine"),
      ("ankitsaini_ei", "2024-05-20T20:35:00", "Hi,\n\nThanks issue is resolved")),
    P(MULTI, "mybb__theultimatetone.com__thread-214-html.html", "https://theultimatetone.com/thread-214.html", "mybb",
      4, ("K O'Connor", "2021-07-12T14:20:00", "Hi Guys\n\nBack when I designed SV1"),
      ("K O'Connor", "2023-04-24T23:50:00", "Hi Dante")),
    P(MULTI, "mybb__theultimatetone.com__thread-268-html.html", "https://theultimatetone.com/thread-268.html", "mybb",
      1, ("K O'Connor", "2023-04-13T13:42:00", "Hi Guys\n\nThe idle condition"),
      ("K O'Connor", "2023-04-13T13:42:00", "Hi Guys\n\nThe idle condition")),
    P(MULTI, "nodebb__what.thedailywtf.com__topic-11267-about-the-side-bar-wtf-category-2.html",
      "https://what.thedailywtf.com/topic/11267/about-the-side-bar-wtf-category/2", "nodebb", 1,
      ("PaulaBean", "2014-05-07T22:45:38.563", "Side Bar: Because more things make us ask WTF"),
      ("PaulaBean", "2014-05-07T22:45:38.563", "Side Bar: Because more things make us ask WTF")),
    P(MULTI, "nodebb__what.thedailywtf.com__topic-29130-the-10th-anniversary-of-the-rocky-lobster-incid.html",
      "https://what.thedailywtf.com/topic/29130/the-10th-anniversary-of-the-rocky-lobster-incident/5", "nodebb", 5,
      ("Gern_Blaanston", "2024-05-02T13:44:38.143", "Filed Under: You shouldn't laugh"),
      ("Arantor", "2024-05-02T23:48:32.603", "@Steve_The_Cynic I can't speak for the others")),
    P(MULTI, "simplepress__speakoutwireless.ca__speak-7-eleven-rates-and-plans-july-august-2023-25-account.html",
      "https://www.speakoutwireless.ca/speak/7-eleven-rates-and-plans/july-august-2023-25-account-bonus-with-100-top"
      "-up/", "simplepress", 1, ("pdops", "2023-07-03T10:07:00", "https://www.speakout7eleven.ca/promotions"),
      ("pdops", "2023-07-03T10:07:00", "https://www.speakout7eleven.ca/promotions")),
    P(MULTI, "simplepress__speakoutwireless.ca__speak-phone-features-need-some-help-setting-up-data-on-andr.html",
      "https://www.speakoutwireless.ca/speak/phone-features/need-some-help-setting-up-data-on-android-phone/",
      "simplepress", 20, ("wup", "2011-08-29T06:24:00", "Wondering if you Speakout guys could help me"),
      ("kenwood", "2012-05-06T19:01:00", "Ok.. i completely missed the part on rooting phone")),
    P(MULTI, "talkyard__insightful.demo.talkyard.io__252-i-have-an-issue.html",
      "https://insightful.demo.talkyard.io/-252/i-have-an-issue", "talkyard", 3,
      ("sdfasdf", "2024-03-12T10:34:41.176", "My issue is this"), ("sdfasdf", "2024-03-12T10:35:11.713", "Discussion")),
    P(MULTI, "ubbthreads__forums.bellaonline.com__ubbthreads-php-topics-888393.html",
      "https://forums.bellaonline.com/ubbthreads.php/topics/888393", "ubbthreads", 10,
      ("Angie", "2015-03-12T15:28:00", "Some of these dream descriptions sound like novels"),
      ("Nancy Roussy", "2015-03-17T07:40:00", "A dream just came back to me."), opener=False),
    P(MULTI, "vbulletin5__worldaffairsboard.com__forum-political-general-discussion-science-technology-15868.html",
      "https://www.worldaffairsboard.com/forum/political-general-discussion/science-technology/1586800-a-small-vict"
      "ory-dance", "vbulletin", 6, ("Parihaka", "2022-04-22T08:05:21", "This graph has been my life"),
      ("Monash", "2022-07-10T02:07:08", "You live in New Zealand.")),
    P(MULTI, "vbulletin5__worldaffairsboard.com__forum-wab-community-information-wab-information-center-4893.html",
      "https://www.worldaffairsboard.com/forum/wab-community-information/wab-information-center/48939-thread-title-"
      "correction", "vbulletin", 2, ("Ken_NJ", "2018-04-24T22:50:36", "Can an admin please correct the title"),
      ("TopHatter", "2018-04-25T00:13:41", "No problem :-)")),
    P(MULTI, "xenforo1__forum.novelupdates.com__word-chain-pokemon-edition_guest.html",
      "https://forum.novelupdates.com/threads/word-chain-pokemon-edition.3880/", "xenforo", 21,
      ("Indiboy", "2016-02-27T16:04:00", "Ah this used to be the most played game"),
      ("Suijin", "2016-02-27T16:42:00", "ursaring")),
    P(MULTI, "xenforo1__forum.novelupdates.com__word-chain-pokemon-edition_member.html",
      "https://forum.novelupdates.com/threads/word-chain-pokemon-edition.3880/", "xenforo", 11,
      ("Indiboy", "2016-02-27T16:04:00", "Ah this used to be the most played game"),
      ("Suijin", "2016-02-27T16:25:00", "infernape")),
    P(DOSTIPS, "viewtopic08f5.html", "https://www.dostips.com/forum/viewtopic.php?f=3&t=1817", "phpbb", 15,
      ("g2geo94", "2011-05-16T08:14:00", "I really hope that this doesn't already exist"),
      ("Ed Dyreen", "2011-11-27T16:10:00", "'\nI have no clue")),
    P(DOSTIPS, "viewtopic1b05.html", "https://www.dostips.com/forum/viewtopic.php?f=3&t=8474", "phpbb", 15,
      ("joejames_786", "2018-04-05T06:49:00", "hi\n\nI have a folder containing a mix of files"),
      ("joejames_786", "2018-04-05T09:53:00", "hi\n\nI was just wondering what happened to steffen")),
    P(DOSTIPS, "viewtopic1ef6.html", "https://www.dostips.com/forum/viewtopic.php?f=3&t=7583", "phpbb", 15,
      ("Aacini", "2016-12-02T20:28:00", "SendMessage.exe is an auxiliary .exe program"),
      ("Thor", "2016-12-20T11:03:00", "Thanks for the useful tool.")),
    P(DOSTIPS, "viewtopic1f7a.html", "https://www.dostips.com/forum/viewtopic.php?p=57048", "phpbb", 15,
      ("flywire", "2018-06-02T05:41:00", "I process thousands of files"),
      ("pieh-ejdsch", "2018-06-04T10:55:00", "I once tinkered with your createNest")),
    P(DOSTIPS, "viewtopic1ff8.html", "https://www.dostips.com/forum/viewtopic.php?p=6242", "phpbb", 15,
      ("ice_531", "2011-01-21T10:10:00", "Hey all."), ("ChickenSoup", "2011-01-27T07:32:00", "Not Quite.")),
    P(DOSTIPS, "viewtopic22cb.html", "https://www.dostips.com/forum/viewtopic.php?f=3&t=1592&start=15", "phpbb", 15,
      ("ice_531", "2011-01-27T08:24:00", "Yes, sadly."),
      ("aGerman", "2011-01-31T15:49:00", "I'm curious about your code."), opener=False),
    P(DOSTIPS, "viewtopic28c5.html", "https://www.dostips.com/forum/viewtopic.php?f=3&t=4664", "phpbb", 15,
      ("xhai", "2013-06-14T03:28:00", "hi! can someone help me modify"),
      ("xhai", "2013-06-18T23:57:00", "hi! guys is it possible to combine")),
    P(DOSTIPS, "viewtopic2a2a.html", "https://www.dostips.com/forum/viewtopic.php?t=4741&start=15", "phpbb", 15,
      ("dbenham", "2013-07-13T17:33:00", "Thanks miskox and aGerman"),
      ("carlos", "2013-07-17T12:21:00", "why is needed the /L parameter"), opener=False),
    P(DOSTIPS, "viewtopic2b3f.html", "https://www.dostips.com/forum/viewtopic.php?f=3&t=5265", "phpbb", 15,
      ("alan_b", "2014-01-09T16:20:00", "Above is the command which normally takes"),
      ("alan_b", "2014-01-12T12:12:00", "Defense+ is supposed to intercept")),
    P(DOSTIPS, "viewtopic2ea5.html", "https://www.dostips.com/forum/viewtopic.php?p=56903", "phpbb", 14,
      ("sal21", "2018-05-23T06:20:00", "I have in c:\\mydir\\MyExe.exe"),
      ("Squashman", "2018-05-24T09:03:00", "So do you see how this can go on")),
    P(DOSTIPS, "viewtopic2fa0.html", "https://www.dostips.com/forum/viewtopic.php?f=3&t=4741", "phpbb", 15,
      ("dbenham", "2013-07-13T13:43:00", "Important EDIT:"), ("aGerman", "2013-07-13T17:22:00", "@miskox")),
    P(DOSTIPS, "viewtopicbebc.html", "https://www.dostips.com/forum/viewtopic.php?p=57953", "phpbb", 7,
      ("aGerman", "2018-09-05T10:44:00", "In that thread the question came up"),
      ("aGerman", "2018-09-06T10:34:00", "I'm pretty sure it would be faster")),
]


def read(shared, folder, name, url):
    """The page as the HTTP layer decodes it (no charset header), read by the engine it is detected as."""
    body = Response(url, 200, {"content-type": "text/html"}, (shared / folder / name).read_bytes()).text
    engine = detect_engine(url, body, "text/html")
    cls = forum_engines()[engine]
    notes: dict = {}
    docs = cls(engine, cls.Options.model_construct(), client=None).page_documents(url, body, now=FETCHED, notes=notes)
    return engine, docs, notes


@pytest.mark.parametrize("folder, name, url, engine, posts, first, last, opener", PAGES)
def test_every_post_with_its_author_and_own_date(shared, folder, name, url, engine, posts, first, last, opener):
    found, docs, notes = read(shared, folder, name, url)
    assert found == engine
    assert len(docs) == posts and len({d.native_id for d in docs}) == posts
    for doc, (author, when, words) in ((docs[0], first), (docs[-1], last)):
        assert (doc.author, doc.created_at) == (author, datetime.fromisoformat(when)), doc.native_id
        assert doc.text.startswith(words), doc.text[:80]
    assert all(d.text.strip() and d.author and d.created_at for d in docs)
    assert all(notes[d.native_id]["author"] and notes[d.native_id]["date"] for d in docs)
    assert docs[0].kind == ("post" if opener else "comment") and all(d.kind == "comment" for d in docs[1:])
    assert all(d.created_at <= FETCHED for d in docs) and sorted(d.created_at for d in docs) == \
        [d.created_at for d in docs]  # forum threads list posts oldest first


def test_posts_without_text_of_their_own_are_noted_not_invented(shared):
    _, docs, notes = read(shared, DOSTIPS, "viewtopic2ea5.html", "https://www.dostips.com/forum/viewtopic.php?p=56903")
    assert notes["www.dostips.com:p56911"] == {"skipped": "no text of its own (only quotes, images or attachments)"}
    assert "www.dostips.com:p56911" not in {d.native_id for d in docs}
    _, docs, notes = read(shared, MULTI, "nodebb__what.thedailywtf.com__topic-11267-about-the-side-bar-wtf-category-2"
                          ".html", "https://what.thedailywtf.com/topic/11267/about-the-side-bar-wtf-category/2")
    deleted = [k for k, v in notes.items() if v.get("skipped", "").startswith("left out")]
    assert len(deleted) == 18 and "此回复已被删除" not in "".join(d.text for d in docs)  # "this reply was deleted"


def test_join_dates_in_the_author_column_are_never_taken(shared):
    # UBB.threads prints "Joined: Apr 2002" with the same span.date class as the post's own date;
    # FlaskBB puts the join date in a <time> before the post's <time>.
    _, ubb, _ = read(shared, MULTI, "ubbthreads__forums.bellaonline.com__ubbthreads-php-topics-888393.html",
                     "https://forums.bellaonline.com/ubbthreads.php/topics/888393")
    assert {d.created_at.year for d in ubb} == {2015}
    _, flask, _ = read(shared, MULTI, "flaskbb__forums.flaskbb.org__topic-2295-need-some-help-to-install-flaskbb-on-"
                       "windows.html", "https://forums.flaskbb.org/topic/2295")
    assert flask[0].created_at != datetime(2020, 2, 9, 9, 30, 51, 207954)  # codeless joined three minutes earlier
