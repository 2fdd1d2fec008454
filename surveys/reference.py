"""The questionnaire of the reference report (a provincial State Registration Department,
2024, measure 3.1): what the citizen came for and got, and where they learn about the
department. A unit's first round uses it until the unit has a questionnaire of its own.

These are data, stored with each questionnaire in both languages, not interface text.
"""

TITLE = ("Үйлчилгээний сэтгэл ханамжийн судалгаа", "Service satisfaction survey")

# (code, Mongolian, English, [(code, Mongolian, English), …])
QUESTIONS = [
    ("service", "Өнөөдөр үйлчилгээ авахад тань ямар байсан бэ?",
     "How was your visit today?", [
         ("got", "Хүссэн үйлчилгээгээ авч чадсан", "I got the service I wanted"),
         ("advice", "Зөвлөгөө, мэдээлэл авсан", "I came for advice or information"),
         ("crowded", "Ачаалал ихтэй байсан", "It was crowded"),
     ]),
    ("source", "Та манай байгууллагын үйл ажиллагааны мэдээллийг голчлон хаанаас авдаг вэ?",
     "Where do you mostly learn about the department's work?", [
         ("website", "Вэб сайт", "The website"),
         ("facebook", "Фэйсбүүк хуудас", "Facebook"),
         ("colleagues", "Хамтран ажиллагсад", "Colleagues"),
         ("board", "Мэдээллийн самбар", "The information board"),
         ("media", "Олон нийтийн мэдээллийн хэрэгсэл", "The media"),
         ("family", "Гэр бүл, найз нөхөд", "Family and friends"),
     ]),
]
