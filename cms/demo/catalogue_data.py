"""Demo data for the `demo_data` command: Binjiang District's guidance catalogue (7 categories, 25 items), four street offices and eight social organisations (pure data, no Django imports)."""

# Prices are CNY yuan per unit, as strings so they load straight into DecimalFields.
# min_grade: "0" none, "1".."5" for 1A..5A.

CATEGORIES = [
    {
        "code": "elderly-care",
        "name": "养老服务",
        "name_en": "Elderly care",
        "intro": "面向辖区60周岁以上老年人，重点保障高龄、独居、失能半失能及低保低边老人，"
        "提供上门照护、助餐、关爱探访和认知症早期干预等服务，推动居家社区养老服务全覆盖。",
        "items": [
            {
                "code": "YL-01",
                "title": "居家养老上门服务",
                "title_en": "Home-based elderly care visits",
                "description": "为经评估的失能、半失能及高龄独居老人提供助洁、助浴、助医、代购等上门照护服务。"
                "服务对象由社区按政府购买居家养老服务补贴名单确定，每位老人建立一人一档服务计划。",
                "service_standard": "每位服务对象每月上门不少于8次、每次不少于1小时，特殊情况可按评估等级增加频次。"
                "上门人员须持养老护理员职业技能等级证书并经岗前培训，每次服务由老人或家属在服务单上签字确认，"
                "服务记录按月上传至智慧养老平台。",
                "unit": "人·年",
                "price_min": "1200.00",
                "price_max": "2400.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "0",
                "indicators": [
                    {"name": "服务计划执行率", "target": "≥95%", "measurement": "平台服务工单与服务计划逐月比对"},
                    {"name": "服务对象满意度", "target": "≥90%", "measurement": "街道每半年随机电话回访不少于20%的服务对象"},
                    {"name": "服务安全事故", "target": "0起", "measurement": "查阅安全事故登记及投诉记录"},
                ],
            },
            {
                "code": "YL-02",
                "title": "独居老人关爱探访",
                "title_en": "Visiting older people who live alone",
                "description": "组织社区志愿者与独居、空巢老人结对，定期上门或电话问候，了解健康状况和生活困难。"
                "发现突发疾病、家中设施隐患等情况及时报告社区并协助处置。",
                "service_standard": "每户每周电话问候不少于1次、每月上门探访不少于2次，高温、寒潮等极端天气期间每日联系。"
                "志愿者须经社区备案并参加不少于4学时的探访技能和应急处置培训，探访情况填写《关爱探访记录表》。",
                "unit": "户·年",
                "price_min": "300.00",
                "price_max": "600.00",
                "allow_registered": True,
                "allow_filed": True,
                "min_grade": "0",
                "indicators": [
                    {"name": "结对覆盖率", "target": "100%", "measurement": "结对名单与社区独居老人台账核对"},
                    {"name": "月度探访完成率", "target": "≥90%", "measurement": "抽查探访记录表并电话核实"},
                    {"name": "风险事项上报及时率", "target": "100%（24小时内）", "measurement": "核对社区风险事项登记时间"},
                ],
            },
            {
                "code": "YL-03",
                "title": "社区老年食堂（助餐点）运营",
                "title_en": "Running a community canteen for older people",
                "description": "承接街道已建成的老年食堂或社区助餐点的日常运营，为老年人提供午餐堂食和送餐上门服务。"
                "对80周岁以上老人及低保低边老人按规定落实就餐优惠，并配合开展膳食营养宣传。",
                "service_standard": "每周至少营业6天，每日供应不少于2荤2素1汤，菜单每周公示。"
                "从业人员持有效健康证明，食品安全管理员持证上岗，食材留样48小时并建立进货查验台账；"
                "就餐人次、优惠补贴发放均通过刷卡系统记录。",
                "unit": "项",
                "price_min": "80000.00",
                "price_max": "160000.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "3",
                "indicators": [
                    {"name": "日均就餐人次", "target": "≥60人次", "measurement": "助餐刷卡系统数据统计"},
                    {"name": "食品安全检查合格率", "target": "100%", "measurement": "市场监管部门检查记录及街道季度抽查"},
                    {"name": "就餐老人满意度", "target": "≥90%", "measurement": "每季度现场问卷，样本不少于50份"},
                    {"name": "送餐准时率", "target": "≥95%", "measurement": "送餐签收单时间核对"},
                ],
            },
            {
                "code": "YL-04",
                "title": "认知障碍老人早期筛查与家庭支持",
                "title_en": "Dementia screening and support for families",
                "description": "在社区开展老年人认知功能筛查，对疑似认知障碍老人转介至医疗机构进一步诊断。"
                "为确诊老人家庭提供照护技能指导、照护者喘息支持和记忆训练小组活动。",
                "service_standard": "筛查使用AD8、MMSE等标准化量表，由经过专项培训的社工或护士实施，每人次筛查不少于30分钟。"
                "筛查结果录入个人档案，阳性结果须在7个工作日内完成转介并跟踪反馈。",
                "unit": "人次",
                "price_min": "150.00",
                "price_max": "300.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "0",
                "indicators": [
                    {"name": "筛查完成人次", "target": "达到合同约定数量", "measurement": "筛查量表原件与档案核对"},
                    {"name": "阳性转介率", "target": "100%", "measurement": "转介单及医疗机构回执"},
                    {"name": "照护者技能提升", "target": "≥80%照护者后测得分提高", "measurement": "照护知识前后测对比"},
                ],
            },
        ],
    },
    {
        "code": "disability-support",
        "name": "助残服务",
        "name_en": "Disability support",
        "intro": "面向持证残疾人及其家庭，提供居家托养、康复训练、辅助性就业和社会融合服务，"
        "帮助残疾人提高生活自理能力和社会参与水平。",
        "items": [
            {
                "code": "ZC-01",
                "title": "重度残疾人居家托养服务",
                "title_en": "Home care for people with severe disabilities",
                "description": "为一、二级重度残疾人及部分三级智力、精神残疾人提供生活照料、护理和精神慰藉等居家托养服务。"
                "服务前由专业人员上门评估，根据评估结果制定个性化托养方案。",
                "service_standard": "每位服务对象每月上门服务不少于12小时，服务内容和时长按评估等级分档。"
                "护理人员须持养老护理员或医疗护理员证书，精神残疾人托养须有持证社工参与；"
                "每次服务填写托养服务日志，每季度进行一次服务效果复评。",
                "unit": "人·年",
                "price_min": "3000.00",
                "price_max": "6000.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "3",
                "indicators": [
                    {"name": "服务时长达标率", "target": "≥95%", "measurement": "托养服务日志与定位打卡记录核对"},
                    {"name": "季度复评完成率", "target": "100%", "measurement": "查阅复评表"},
                    {"name": "家属满意度", "target": "≥90%", "measurement": "残联与街道联合电话回访"},
                ],
            },
            {
                "code": "ZC-02",
                "title": "残疾人社区康复训练指导",
                "title_en": "Community rehabilitation training",
                "description": "依托街道残疾人之家，为肢体、视力、言语等类别残疾人提供运动功能、生活自理和社会适应训练。"
                "同时指导家属掌握居家康复方法，配合做好辅助器具适配和使用训练。",
                "service_standard": "每课时45分钟，单次训练人数不超过6人，每位学员每月训练不少于4课时。"
                "授课人员须具备康复治疗师资格或经市级残联康复指导员培训合格；每位学员建立康复档案，每半年开展一次功能评估。",
                "unit": "课时",
                "price_min": "120.00",
                "price_max": "260.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "0",
                "indicators": [
                    {"name": "课时完成量", "target": "达到合同约定课时", "measurement": "签到表与课程记录核对"},
                    {"name": "功能改善率", "target": "≥70%学员评估得分提高", "measurement": "半年功能评估前后对比"},
                    {"name": "家属康复知识知晓率", "target": "≥85%", "measurement": "家属问卷测评"},
                ],
            },
            {
                "code": "ZC-03",
                "title": "残疾人辅助性就业与职业技能培训",
                "title_en": "Supported employment and vocational training",
                "description": "为有劳动意愿的智力、精神及重度肢体残疾人提供手工制作、电商客服等辅助性就业岗位和技能培训。"
                "协助对接爱心企业订单和就业岗位，并为学员办理就业补贴申领。",
                "service_standard": "每期培训不少于60学时，结业学员须通过实操考核并取得培训合格证明。"
                "培训教师应具备相应职业技能等级证书；学员考勤、计件收入和岗位对接情况须逐人登记。",
                "unit": "人·期",
                "price_min": "1500.00",
                "price_max": "3200.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "0",
                "indicators": [
                    {"name": "培训结业率", "target": "≥85%", "measurement": "考勤表及结业考核记录"},
                    {"name": "就业（含辅助性就业）转化率", "target": "≥40%", "measurement": "就业登记及劳动协议复印件"},
                    {"name": "学员月均劳动收入", "target": "≥500元", "measurement": "计件收入发放明细"},
                ],
            },
            {
                "code": "ZC-04",
                "title": "助残志愿结对与融合文体活动",
                "title_en": "Volunteer buddies and inclusive leisure activities",
                "description": "组织社区志愿者与残疾人家庭结对，开展陪同出行、读书分享、手工和趣味运动等融合活动。"
                "在全国助残日、国际残疾人日等节点举办社区融合主题活动，营造扶残助残氛围。",
                "service_standard": "每场活动时长不少于2小时，残疾人参与人数不少于15人，配备不少于1:2的志愿者陪护。"
                "活动场地须满足无障碍通行要求，活动前制定安全预案，活动后提交签到表、照片和活动小结。",
                "unit": "场次",
                "price_min": "2000.00",
                "price_max": "5000.00",
                "allow_registered": True,
                "allow_filed": True,
                "min_grade": "0",
                "indicators": [
                    {"name": "残疾人参与人数", "target": "每场≥15人", "measurement": "签到表与照片核对"},
                    {"name": "参与者满意度", "target": "≥90%", "measurement": "活动现场简易问卷（含图示版）"},
                ],
            },
        ],
    },
    {
        "code": "children-youth",
        "name": "儿童青少年服务",
        "name_en": "Children and youth",
        "intro": "围绕儿童友好社区建设，为辖区儿童青少年提供课后托管、困境儿童关爱、心理健康和社会实践服务，"
        "重点关注留守、流动及困境儿童。",
        "items": [
            {
                "code": "ET-01",
                "title": "“四点半课堂”课后托管服务",
                "title_en": "After-school homework club",
                "description": "在社区活动室为双职工家庭和新市民家庭的小学生提供放学后作业辅导与看护。"
                "结合大学生志愿者资源开设阅读、科学小实验和安全教育等拓展课程。",
                "service_standard": "学期内每周一至周五16:30—18:00开放，每课时看护比例不低于1:10。"
                "辅导人员须无违法犯罪记录并经社区审核，学生实行接送签字制度，每日填写托管日志。",
                "unit": "课时",
                "price_min": "80.00",
                "price_max": "150.00",
                "allow_registered": True,
                "allow_filed": True,
                "min_grade": "0",
                "indicators": [
                    {"name": "开课率", "target": "≥95%计划课时", "measurement": "托管日志与排课表核对"},
                    {"name": "接送签字完整率", "target": "100%", "measurement": "抽查接送登记簿"},
                    {"name": "家长满意度", "target": "≥90%", "measurement": "学期末家长问卷"},
                ],
            },
            {
                "code": "ET-02",
                "title": "困境儿童个案关爱服务",
                "title_en": "Casework for children in difficult circumstances",
                "description": "对事实无人抚养儿童、低保家庭儿童及重病重残儿童开展入户评估，按需求提供学业支持、"
                "心理疏导和家庭教育指导。协助儿童主任链接救助政策和慈善资源，落实“一童一档”动态管理。",
                "service_standard": "每名儿童每月面访不少于1次，高风险个案每周跟进。"
                "个案须由持证社会工作者负责，严格遵守未成年人信息保密要求；个案记录、评估表和结案报告按规范归档。",
                "unit": "人·年",
                "price_min": "2000.00",
                "price_max": "4500.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "3",
                "indicators": [
                    {"name": "个案建档率", "target": "100%", "measurement": "个案档案与民政困境儿童名册核对"},
                    {"name": "月度面访完成率", "target": "≥95%", "measurement": "个案记录抽查"},
                    {"name": "政策资源链接成功率", "target": "≥80%", "measurement": "救助申请及资源对接凭证"},
                ],
            },
            {
                "code": "ET-03",
                "title": "暑期青少年社区实践营",
                "title_en": "Summer community practice camp for young people",
                "description": "暑假期间组织初中、高中学生参与社区志愿服务、职业体验和非遗文化研学，"
                "帮助青少年了解社区、增强社会责任感。活动结束后为学生出具志愿服务时长证明。",
                "service_standard": "每期营期不少于5天、学员不少于30人，每日安排不少于4小时的实践活动。"
                "带队老师与学员比例不低于1:8，外出活动须购买意外保险并报街道备案，活动结束提交学员名单、照片和成果汇编。",
                "unit": "期",
                "price_min": "15000.00",
                "price_max": "30000.00",
                "allow_registered": True,
                "allow_filed": True,
                "min_grade": "0",
                "indicators": [
                    {"name": "学员完成率", "target": "≥90%", "measurement": "每日签到表"},
                    {"name": "人均志愿服务时长", "target": "≥15小时", "measurement": "志愿汇平台时长记录"},
                    {"name": "安全事故", "target": "0起", "measurement": "营期安全日志及投诉记录"},
                ],
            },
            {
                "code": "ET-04",
                "title": "儿童青少年心理健康团体辅导",
                "title_en": "Group counselling for children's mental health",
                "description": "针对学业压力、亲子沟通和同伴交往等常见问题，在社区开展小组形式的心理健康辅导。"
                "对辅导中发现的高风险个体，及时转介学校心理教师或专业医疗机构。",
                "service_standard": "每场辅导90分钟，每组不超过12人，每个小组连续开展不少于6节。"
                "带领者须持心理咨询或社会工作中级以上资质，每场填写团体辅导记录，全程不录音录像。",
                "unit": "场次",
                "price_min": "800.00",
                "price_max": "1800.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "0",
                "indicators": [
                    {"name": "小组出勤率", "target": "≥85%", "measurement": "每节签到表"},
                    {"name": "心理量表改善率", "target": "≥70%组员后测改善", "measurement": "SDQ量表前后测对比"},
                    {"name": "高风险转介及时率", "target": "100%（3个工作日内）", "measurement": "转介记录"},
                ],
            },
        ],
    },
    {
        "code": "correction-rehab",
        "name": "社区矫正与戒毒康复",
        "name_en": "Community correction and drug rehabilitation",
        "intro": "配合司法所和禁毒办，为社区矫正对象、社区戒毒社区康复人员及刑满释放人员提供教育帮扶、"
        "心理矫治和社会适应服务，预防重新违法犯罪和复吸。",
        "items": [
            {
                "code": "JZ-01",
                "title": "社区矫正对象教育帮扶",
                "title_en": "Education and support for people under community correction",
                "description": "协助司法所对社区矫正对象开展入矫评估、教育学习、公益活动组织和心理辅导。"
                "针对就业、家庭关系等困难提供个案帮扶，促进矫正对象顺利融入社会。",
                "service_standard": "每名矫正对象每月个别谈话不少于1次，每月集中教育学习不少于8小时。"
                "服务人员须为持证社会工作者并签订保密承诺书，所有服务记录按司法所要求纳入矫正档案。",
                "unit": "人·年",
                "price_min": "2500.00",
                "price_max": "5000.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "3",
                "indicators": [
                    {"name": "个别谈话完成率", "target": "100%", "measurement": "谈话记录与矫正档案核对"},
                    {"name": "矫正期内重新违法犯罪率", "target": "0", "measurement": "司法所季度通报"},
                    {"name": "就业帮扶成功率", "target": "≥60%有需求对象", "measurement": "劳动合同或用工证明"},
                ],
            },
            {
                "code": "JZ-02",
                "title": "社区戒毒社区康复专业社工服务",
                "title_en": "Social work for people in community drug treatment",
                "description": "为社区戒毒、社区康复人员提供尿检提醒、心理干预、家庭支持和就业指导等服务。"
                "协助禁毒专干落实“一人一策”帮扶措施，建立复吸风险预警机制。",
                "service_standard": "每名服务对象每月面访不少于2次，按规定频次协助完成毛发或尿液检测。"
                "禁毒社工须持社会工作者职业资格证书并参加禁毒专业培训；服务对象档案实行专柜管理，信息严格保密。",
                "unit": "人·月",
                "price_min": "300.00",
                "price_max": "550.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "3",
                "indicators": [
                    {"name": "检测按期完成率", "target": "≥98%", "measurement": "检测登记与禁毒信息系统比对"},
                    {"name": "三年操守保持率", "target": "≥90%", "measurement": "禁毒办年度统计"},
                    {"name": "失联失控人数", "target": "0", "measurement": "禁毒信息系统记录"},
                ],
            },
            {
                "code": "JZ-03",
                "title": "刑满释放人员安置帮教",
                "title_en": "Resettlement support for released prisoners",
                "description": "对刑满释放人员开展衔接接收、走访回访和困难帮扶，协助办理户籍、社保和临时救助。"
                "对有就业意愿的人员提供求职指导和岗位推荐。",
                "service_standard": "刑满释放人员报到后5个工作日内完成首次走访，此后按重点、一般帮教对象分别每月、每季度回访。"
                "每次走访填写帮教记录，并与司法所按月共享帮教动态。",
                "unit": "人次",
                "price_min": "200.00",
                "price_max": "450.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "0",
                "indicators": [
                    {"name": "衔接率", "target": "100%", "measurement": "司法所接收名单与首次走访记录核对"},
                    {"name": "帮教率", "target": "≥98%", "measurement": "帮教记录抽查"},
                    {"name": "帮教期内重新犯罪率", "target": "≤1%", "measurement": "司法所年度统计"},
                ],
            },
        ],
    },
    {
        "code": "culture-sport",
        "name": "社区文化体育",
        "name_en": "Culture and sport",
        "intro": "培育社区文艺体育团队，开展全民健身和传统节日活动，丰富居民精神文化生活，增进邻里交往。",
        "items": [
            {
                "code": "WT-01",
                "title": "社区文艺团队培育",
                "title_en": "Developing community arts groups",
                "description": "为社区合唱、舞蹈、越剧、书画等群众文艺团队提供专业老师指导、节目编排和演出对接。"
                "帮助团队完善章程和骨干队伍，逐步成长为可自我运转的社区社会组织。",
                "service_standard": "每支团队每月专业指导不少于4次、每次不少于2小时，全年至少排演1个原创或改编节目。"
                "指导老师应具备相关专业背景或文化馆认定的辅导资质，团队活动记录和成员名册每季度更新。",
                "unit": "支·年",
                "price_min": "6000.00",
                "price_max": "12000.00",
                "allow_registered": True,
                "allow_filed": True,
                "min_grade": "0",
                "indicators": [
                    {"name": "团队稳定成员数", "target": "每支≥15人", "measurement": "成员名册与活动签到核对"},
                    {"name": "对外展演次数", "target": "每支每年≥3次", "measurement": "演出照片及邀请函"},
                    {"name": "团队备案转化", "target": "年内完成社区社会组织备案", "measurement": "街道备案登记"},
                ],
            },
            {
                "code": "WT-02",
                "title": "社区全民健身指导",
                "title_en": "Community fitness coaching",
                "description": "在社区广场、百姓健身房开设太极拳、八段锦、健身操和亲子运动课程，由社会体育指导员带教。"
                "同时为居民提供体质测试和科学健身咨询。",
                "service_standard": "每课时60分钟，参加人数不少于10人，授课人员须持二级以上社会体育指导员证书。"
                "课前进行健康询问和热身，课程签到和体质测试数据按月汇总报送街道。",
                "unit": "课时",
                "price_min": "100.00",
                "price_max": "220.00",
                "allow_registered": True,
                "allow_filed": True,
                "min_grade": "0",
                "indicators": [
                    {"name": "课均参与人数", "target": "≥12人", "measurement": "课程签到表"},
                    {"name": "体质测试人数", "target": "≥200人/年", "measurement": "体质测试数据汇总表"},
                    {"name": "居民满意度", "target": "≥90%", "measurement": "季度现场问卷"},
                ],
            },
            {
                "code": "WT-03",
                "title": "传统节日邻里节活动",
                "title_en": "Neighbourhood festivals on traditional holidays",
                "description": "围绕春节、元宵、端午、中秋、重阳等传统节日，策划包饺子、猜灯谜、包粽子、邻里百家宴等社区活动。"
                "鼓励居民自主报名担任活动志愿者，促进新老居民相识互助。",
                "service_standard": "每场活动参与居民不少于80人，活动方案须提前10个工作日报社区审核。"
                "涉及食品制作的须落实食品安全措施，大型活动须制定安全预案并配备安保人员，活动后5个工作日内提交总结和影像资料。",
                "unit": "场次",
                "price_min": "3000.00",
                "price_max": "8000.00",
                "allow_registered": True,
                "allow_filed": True,
                "min_grade": "0",
                "indicators": [
                    {"name": "参与居民人数", "target": "每场≥80人", "measurement": "签到表及现场照片"},
                    {"name": "居民志愿者参与", "target": "每场≥10人", "measurement": "志愿者名单"},
                    {"name": "活动满意度", "target": "≥90%", "measurement": "现场扫码评价"},
                ],
            },
        ],
    },
    {
        "code": "community-governance",
        "name": "社区治理与自治支持",
        "name_en": "Community self-governance support",
        "intro": "支持居民委员会开展民主协商和居民自治，培育社区公益项目和志愿服务队伍，"
        "推动垃圾分类、老旧小区改造等公共事务的共建共治。",
        "items": [
            {
                "code": "ZL-01",
                "title": "居民议事协商组织",
                "title_en": "Facilitating residents' deliberation meetings",
                "description": "围绕加装电梯、停车管理、小区环境整治等居民关心的议题，协助社区组织民主恳谈会、议事会。"
                "负责议题征集、利益相关方沟通、会议主持和协商结果公示的全过程支持。",
                "service_standard": "每场议事会议须有不少于15名居民代表参加，议题须提前5天公示。"
                "主持人应接受过参与式协商方法培训，会议形成书面纪要并由参会代表签字，协商结果在小区公告栏公示不少于7天。",
                "unit": "场次",
                "price_min": "1500.00",
                "price_max": "3500.00",
                "allow_registered": True,
                "allow_filed": True,
                "min_grade": "0",
                "indicators": [
                    {"name": "议题形成共识率", "target": "≥70%", "measurement": "会议纪要与公示材料"},
                    {"name": "居民代表出席率", "target": "≥80%", "measurement": "签到表"},
                    {"name": "协商事项落实跟踪", "target": "100%在30天内反馈进展", "measurement": "事项跟踪台账"},
                ],
            },
            {
                "code": "ZL-02",
                "title": "社区公益创投项目孵化",
                "title_en": "Incubating community venture-philanthropy projects",
                "description": "面向社区社会组织和居民团队开展公益创投大赛，提供项目设计辅导、路演评审和执行督导。"
                "入选项目由承接方全程陪伴实施并做中期和结项评估。",
                "service_standard": "每轮创投孵化项目不少于8个，项目设计工作坊不少于3期，每个项目执行期内督导不少于4次。"
                "评审须邀请不少于5名外部专家，评审结果公示5个工作日；项目资金使用情况须单独建账。",
                "unit": "项",
                "price_min": "40000.00",
                "price_max": "90000.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "3",
                "indicators": [
                    {"name": "孵化项目数", "target": "≥8个", "measurement": "入选项目名单及协议"},
                    {"name": "项目按期结项率", "target": "≥90%", "measurement": "结项评估报告"},
                    {"name": "资金使用合规率", "target": "100%", "measurement": "专项审计或财务抽查"},
                ],
            },
            {
                "code": "ZL-03",
                "title": "垃圾分类入户宣传与定时定点督导",
                "title_en": "Waste sorting outreach and bin-point supervision",
                "description": "组织志愿者在小区定时定点投放点开展早晚督导，现场指导居民正确分类投放。"
                "对分类正确率低的楼栋开展入户宣传，并配合社区做好积分兑换和“红黑榜”公示。",
                "service_standard": "投放点督导时段为每日7:00—9:00和18:00—20:00，每个投放点至少1人在岗。"
                "督导人员上岗前参加分类知识培训，每日填写督导记录并拍照上传，每月对各楼栋分类质量进行一次抽检评分。",
                "unit": "户·年",
                "price_min": "20.00",
                "price_max": "45.00",
                "allow_registered": True,
                "allow_filed": True,
                "min_grade": "0",
                "indicators": [
                    {"name": "督导在岗率", "target": "≥95%", "measurement": "督导记录及随机暗访"},
                    {"name": "分类投放准确率", "target": "≥90%", "measurement": "城管部门月度抽检"},
                    {"name": "入户宣传覆盖率", "target": "≥95%", "measurement": "入户宣传登记表"},
                ],
            },
            {
                "code": "ZL-04",
                "title": "楼道长与社区志愿者骨干培训",
                "title_en": "Training building representatives and volunteer leaders",
                "description": "为楼道长、网格员和社区志愿者骨干开展政策解读、矛盾调解、应急处置和志愿服务管理培训。"
                "通过案例教学和情景演练，提升骨干参与社区事务的能力。",
                "service_standard": "每期培训不少于6学时，单期学员不超过40人，讲师须具有相关领域从业或授课经验。"
                "培训须有签到、课件和结业测评，测评结果反馈社区用于骨干队伍管理。",
                "unit": "人次",
                "price_min": "40.00",
                "price_max": "90.00",
                "allow_registered": True,
                "allow_filed": True,
                "min_grade": "0",
                "indicators": [
                    {"name": "培训人次", "target": "达到合同约定人次", "measurement": "签到表"},
                    {"name": "结业测评合格率", "target": "≥90%", "measurement": "结业测评试卷"},
                    {"name": "学员满意度", "target": "≥90%", "measurement": "课后评估问卷"},
                ],
            },
        ],
    },
    {
        "code": "capacity-building",
        "name": "社会组织能力建设",
        "name_en": "Capacity building for social organisations",
        "intro": "通过孵化培育、专业培训和第三方评估，提升社区社会组织的规范化水平和承接政府购买服务的能力。",
        "items": [
            {
                "code": "NL-01",
                "title": "社区社会组织孵化培育",
                "title_en": "Incubating community-based organisations",
                "description": "运营街道社会组织服务中心，为初创的社区社会组织提供场地、备案辅导、章程制定和财务规范指导。"
                "对发展成熟的组织协助其向民政部门申请登记，并推荐参与公益创投和政府购买服务。",
                "service_standard": "每家孵化组织孵化期不少于6个月，期间一对一辅导不少于6次。"
                "承接方须配备不少于2名专职人员，其中至少1名持中级社会工作者证书；孵化档案包括需求评估、辅导记录和出壳评估报告。",
                "unit": "家",
                "price_min": "8000.00",
                "price_max": "20000.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "3",
                "indicators": [
                    {"name": "出壳组织数", "target": "达到合同约定数量", "measurement": "出壳评估报告"},
                    {"name": "完成备案或登记比例", "target": "≥80%", "measurement": "民政备案、登记证书"},
                    {"name": "孵化组织持续运营率", "target": "出壳后一年≥70%", "measurement": "年度回访及活动记录"},
                ],
            },
            {
                "code": "NL-02",
                "title": "社会组织财务与项目管理培训",
                "title_en": "Finance and project management training for social organisations",
                "description": "围绕民间非营利组织会计制度、项目预算编制、票据管理和项目书撰写，为社会组织负责人和财务人员开展系列培训。"
                "培训结合政府购买服务项目的招投标和验收要求设计课程。",
                "service_standard": "每课时45分钟，全年课程不少于24课时，授课讲师须具有中级会计师、审计师或资深项目管理经验。"
                "每次课程提供讲义并开展课后测试，学员考勤和测试成绩形成培训档案。",
                "unit": "课时",
                "price_min": "300.00",
                "price_max": "800.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "0",
                "indicators": [
                    {"name": "参训组织覆盖率", "target": "≥80%辖区组织", "measurement": "签到表与辖区组织名录核对"},
                    {"name": "课后测试合格率", "target": "≥85%", "measurement": "课后测试记录"},
                    {"name": "财务不规范问题下降", "target": "年检问题数下降≥30%", "measurement": "民政年检结果对比"},
                ],
            },
            {
                "code": "NL-03",
                "title": "政府购买服务项目第三方绩效评估",
                "title_en": "Third-party performance evaluation of purchased services",
                "description": "受街道委托，对年度政府购买服务项目开展中期检查和结项绩效评估，出具独立评估报告。"
                "评估结果作为项目验收、尾款支付和承接方信用评价的重要依据。",
                "service_standard": "每个项目评估须包括资料审查、现场查看、服务对象访谈和满意度抽样调查，抽样比例不低于10%。"
                "评估组不少于3人且须回避与被评估组织存在利害关系的人员，评估报告在现场评估后15个工作日内提交。",
                "unit": "项",
                "price_min": "6000.00",
                "price_max": "15000.00",
                "allow_registered": True,
                "allow_filed": False,
                "min_grade": "4",
                "indicators": [
                    {"name": "报告按期提交率", "target": "100%", "measurement": "报告提交时间记录"},
                    {"name": "利益冲突回避", "target": "100%签署回避声明", "measurement": "评估人员声明书"},
                    {"name": "委托方对报告质量评价", "target": "≥85分", "measurement": "街道评分表"},
                ],
            },
        ],
    },
]

DISTRICT = {"name": "滨江区", "name_en": "Binjiang District"}

# Changhe, Xixing and Puyan are Binjiang's real sub-districts; Baimahu is a demo addition.
OFFICES = [
    {
        "name": "长河街道办事处",
        "name_en": "Changhe Sub-district Office",
        "address": "杭州市滨江区长河路475号",
        "phone": "0571-87702311",
        "filed_budget_threshold": "100000.00",
    },
    {
        "name": "西兴街道办事处",
        "name_en": "Xixing Sub-district Office",
        "address": "杭州市滨江区西兴路1899号",
        "phone": "0571-86698025",
        "filed_budget_threshold": "80000.00",
    },
    {
        "name": "浦沿街道办事处",
        "name_en": "Puyan Sub-district Office",
        "address": "杭州市滨江区东信大道66号",
        "phone": "0571-87150562",
        "filed_budget_threshold": "150000.00",
    },
    {
        "name": "白马湖街道办事处",
        "name_en": "Baimahu Sub-district Office",
        "address": "杭州市滨江区建业路511号",
        "phone": "0571-86631207",
        "filed_budget_threshold": "50000.00",
    },
]

# USCC codes: "5" = civil affairs; "1" = social association (社会团体), "2" = social service agency (民办非企业单位);
# 330108 = Binjiang; the 9-character organisation code carries its own GB 11714 check digit.
ORGANISATIONS = [
    {
        "name": "杭州市滨江区长青社会工作服务中心",
        "name_en": "Binjiang Evergreen Social Work Service Centre",
        "track": "registered",
        "uscc": "52330108MJ9A3K479D",
        "legal_representative": "张慧敏",
        "registration_authority": "杭州市滨江区民政局",
        "grade": "4",
        "categories": ["elderly-care", "disability-support", "community-governance"],
        "description": "成立于2014年，现有专职社工26名，其中中级社工师9名。长期承接长河、浦沿两个街道的居家养老上门服务和"
        "重度残疾人托养项目，服务老人和残疾人逾1800人，2022年获评4A级社会组织。",
    },
    {
        "name": "杭州市滨江区启明青少年事务服务中心",
        "name_en": "Binjiang Qiming Youth Affairs Service Centre",
        "track": "registered",
        "uscc": "52330108MJ9A3L084F",
        "legal_representative": "李建国",
        "registration_authority": "杭州市滨江区民政局",
        "grade": "3",
        "categories": ["children-youth", "correction-rehab"],
        "description": "专注青少年事务与禁毒社会工作，配备禁毒社工和青少年事务社工18名。"
        "与区禁毒办、司法局合作开展社区戒毒康复和未成年社区矫正对象帮教，同时运营3个社区“四点半课堂”。",
    },
    {
        "name": "杭州市滨江区社会组织发展促进会",
        "name_en": "Binjiang Association for the Development of Social Organisations",
        "track": "registered",
        "uscc": "51330108MJ9A3K217Q",
        "legal_representative": "王晓峰",
        "registration_authority": "杭州市滨江区民政局",
        "grade": "5",
        "categories": ["capacity-building", "community-governance"],
        "description": "由区内社会组织、高校研究人员和公益从业者发起的枢纽型社会团体，会员单位63家。"
        "运营区社会组织孵化基地，承担社会组织等级评估辅导、公益创投和政府购买服务第三方评估工作。",
    },
    {
        "name": "杭州市滨江区全民健身协会",
        "name_en": "Binjiang Fitness-for-All Association",
        "track": "registered",
        "uscc": "51330108MJ9A3M650C",
        "legal_representative": "陈丽华",
        "registration_authority": "杭州市滨江区民政局",
        "grade": "2",
        "categories": ["culture-sport", "elderly-care"],
        "description": "拥有注册社会体育指导员120余名，下设太极拳、广场舞、门球等8个专项委员会。"
        "每年在各社区开展健身指导课程和老年人体质测试，组织区级社区运动会。",
    },
    {
        "name": "长河街道银龄志愿服务队",
        "name_en": "Changhe Silver-Age Volunteer Team",
        "track": "filed",
        "office": 0,
        "grade": "0",
        "categories": ["elderly-care", "culture-sport"],
        "description": "由社区退休党员和低龄老人组成，现有队员52人，实行“低龄帮高龄”结对。"
        "日常开展独居老人探访、重阳节敬老活动，并组建了一支老年合唱队。",
    },
    {
        "name": "西兴街道童心家长互助会",
        "name_en": "Xixing Tongxin Parents' Mutual Aid Group",
        "track": "filed",
        "office": 1,
        "grade": "0",
        "categories": ["children-youth"],
        "description": "由辖区新市民家庭家长自发成立，轮流组织周末亲子阅读和暑期看护互助。"
        "与社区合作开设“四点半课堂”志愿辅导岗，现有骨干家长30余人。",
    },
    {
        "name": "浦沿街道邻里和事佬议事会",
        "name_en": "Puyan Neighbourhood Mediators' Council",
        "track": "filed",
        "office": 2,
        "grade": "0",
        "categories": ["community-governance"],
        "description": "由退休教师、律师和老党员组成的居民自治组织，协助社区调解邻里纠纷、组织加装电梯和停车问题议事协商。"
        "近两年参与调解纠纷140余起，推动3个老旧小区完成电梯加装协商。",
    },
    {
        "name": "白马湖街道阳光助残志愿服务队",
        "name_en": "Baimahu Sunshine Disability Volunteer Team",
        "track": "filed",
        "office": 3,
        "grade": "0",
        "categories": ["disability-support", "culture-sport"],
        "description": "依托街道残疾人之家成立，成员包括残疾人亲属、大学生和社区居民志愿者。"
        "每月组织残疾人陪伴出行、手工制作和趣味运动会，助残日期间承办社区融合活动。",
    },
]
