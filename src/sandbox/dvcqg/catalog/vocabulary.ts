/**
 * Word lists for the seeded sandbox catalog. Procedure names follow the patterns of the
 * national catalog; laws are cited by their public numbers. Agency codes, field codes,
 * ministry code assignments, province and district names are fictional (format only).
 */

export interface Ministry {
  /** The `Gnn` part of `000.00.00.Gnn` and of result codes `KQ.Gnn.nnnnnn`. */
  code: string
  name: string
  /** Abbreviation used in decision numbers (`QĐ-BXD`). */
  abbr: string
}

export interface LegalDoc {
  number: string
  name: string
  issuer: string
  issuedOn: string // dd/MM/yyyy
  effectiveOn: string // dd/MM/yyyy
}

export interface FieldVocabulary {
  /** `MALINHVUC` */
  code: string
  name: string
  ministry: Ministry
  /** Index into PROVINCE_DEPARTMENTS of the department that handles the field. */
  department: number
  /** CAPTHUCHIEN codes this field's procedures run at. */
  levels: string[]
  stems: string[]
  documents: string[]
  results: string[]
  laws: LegalDoc[]
}

const M = {
  XD: { code: 'G05', name: 'Bộ Xây dựng', abbr: 'BXD' },
  TP: { code: 'G09', name: 'Bộ Tư pháp', abbr: 'BTP' },
  KH: { code: 'G06', name: 'Bộ Kế hoạch và Đầu tư', abbr: 'BKHĐT' },
  TN: { code: 'G12', name: 'Bộ Tài nguyên và Môi trường', abbr: 'BTNMT' },
  GD: { code: 'G08', name: 'Bộ Giáo dục và Đào tạo', abbr: 'BGDĐT' },
  YT: { code: 'G15', name: 'Bộ Y tế', abbr: 'BYT' },
  GT: { code: 'G04', name: 'Bộ Giao thông vận tải', abbr: 'BGTVT' },
  CA: { code: 'G01', name: 'Bộ Công an', abbr: 'BCA' },
  LD: { code: 'G10', name: 'Bộ Lao động - Thương binh và Xã hội', abbr: 'BLĐTBXH' },
  CT: { code: 'G07', name: 'Bộ Công Thương', abbr: 'BCT' },
  VH: { code: 'G14', name: 'Bộ Văn hóa, Thể thao và Du lịch', abbr: 'BVHTTDL' },
  NN: { code: 'G11', name: 'Bộ Nông nghiệp và Phát triển nông thôn', abbr: 'BNNPTNT' },
} satisfies Record<string, Ministry>

export const MINISTRIES: Ministry[] = [...Object.values(M), { code: 'G22', name: 'Văn phòng Chính phủ', abbr: 'VPCP' }]

export const PROVINCE = { code: 'H56', name: 'Ủy ban nhân dân tỉnh Bình Sơn' }

export const PROVINCE_DEPARTMENTS = [
  'Sở Xây dựng',
  'Sở Tư pháp',
  'Sở Kế hoạch và Đầu tư',
  'Sở Tài nguyên và Môi trường',
  'Sở Giáo dục và Đào tạo',
  'Sở Y tế',
  'Sở Giao thông vận tải',
  'Công an tỉnh',
  'Sở Lao động - Thương binh và Xã hội',
  'Sở Công Thương',
  'Sở Văn hóa, Thể thao và Du lịch',
  'Sở Nông nghiệp và Phát triển nông thôn',
  'Trung tâm Phục vụ hành chính công tỉnh',
]

export const DISTRICTS = [
  'thành phố Bình Sơn',
  'thị xã Phú An',
  'huyện Đông Hòa',
  'huyện Tây Lâm',
  'huyện Ninh Phước',
  'huyện Tân Thạnh',
  'huyện Đức Long',
  'huyện Vĩnh Xuân',
]

export const COMMUNES = ['xã An Bình', 'phường Hòa Thuận', 'thị trấn Tân Phú']

const LAW_ONE_STOP: LegalDoc = {
  number: '61/2018/NĐ-CP',
  name: 'Nghị định về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính',
  issuer: 'Chính phủ',
  issuedOn: '23/04/2018',
  effectiveOn: '21/06/2018',
}
const LAW_ONLINE: LegalDoc = {
  number: '45/2020/NĐ-CP',
  name: 'Nghị định về thực hiện thủ tục hành chính trên môi trường điện tử',
  issuer: 'Chính phủ',
  issuedOn: '08/04/2020',
  effectiveOn: '22/05/2020',
}
export const GENERAL_LAWS: LegalDoc[] = [LAW_ONE_STOP, LAW_ONLINE]

const law = (number: string, name: string, issuer: string, issuedOn: string, effectiveOn: string): LegalDoc => ({
  number,
  name,
  issuer,
  issuedOn,
  effectiveOn,
})

export const FIELDS: FieldVocabulary[] = [
  {
    code: 'G05-XD01',
    name: 'Hoạt động xây dựng',
    ministry: M.XD,
    department: 0,
    levels: ['1', '2'],
    stems: [
      'Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II',
      'Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV',
      'Cấp giấy phép xây dựng đối với nhà ở riêng lẻ',
      'Cấp giấy phép xây dựng sửa chữa, cải tạo đối với công trình',
      'Cấp giấy phép xây dựng theo giai đoạn',
      'Cấp giấy phép xây dựng có thời hạn',
      'Cấp giấy phép di dời công trình',
      'Điều chỉnh giấy phép xây dựng',
      'Gia hạn giấy phép xây dựng',
      'Cấp lại giấy phép xây dựng',
      'Thẩm định báo cáo nghiên cứu khả thi đầu tư xây dựng',
      'Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III',
      'Cấp chứng chỉ năng lực hoạt động xây dựng',
    ],
    documents: [
      'Đơn đề nghị cấp giấy phép xây dựng',
      'Bản sao giấy tờ chứng minh quyền sử dụng đất',
      'Bản vẽ thiết kế xây dựng',
      'Bản kê khai năng lực, kinh nghiệm của tổ chức thiết kế',
      'Văn bản thẩm duyệt thiết kế về phòng cháy và chữa cháy',
      'Giấy phép xây dựng đã được cấp',
      'Báo cáo kết quả thẩm định thiết kế xây dựng',
    ],
    results: ['Giấy phép xây dựng', 'Chứng chỉ hành nghề hoạt động xây dựng', 'Văn bản thông báo kết quả thẩm định'],
    laws: [
      law('50/2014/QH13', 'Luật Xây dựng', 'Quốc hội', '18/06/2014', '01/01/2015'),
      law('62/2020/QH14', 'Luật sửa đổi, bổ sung một số điều của Luật Xây dựng', 'Quốc hội', '17/06/2020', '01/01/2021'),
      law('15/2021/NĐ-CP', 'Nghị định quy định chi tiết một số nội dung về quản lý dự án đầu tư xây dựng', 'Chính phủ', '03/03/2021', '03/03/2021'),
    ],
  },
  {
    code: 'G09-TP05',
    name: 'Hộ tịch',
    ministry: M.TP,
    department: 1,
    levels: ['2', '3'],
    stems: [
      'Đăng ký khai sinh',
      'Đăng ký kết hôn',
      'Đăng ký khai tử',
      'Đăng ký nhận cha, mẹ, con',
      'Đăng ký lại khai sinh',
      'Đăng ký giám hộ',
      'Thay đổi, cải chính, bổ sung thông tin hộ tịch',
      'Cấp bản sao trích lục hộ tịch',
      'Cấp Giấy xác nhận tình trạng hôn nhân',
      'Đăng ký khai sinh có yếu tố nước ngoài',
      'Đăng ký kết hôn có yếu tố nước ngoài',
      'Ghi vào Sổ hộ tịch việc hộ tịch của công dân Việt Nam đã được giải quyết tại cơ quan có thẩm quyền của nước ngoài',
    ],
    documents: [
      'Tờ khai đăng ký khai sinh',
      'Giấy chứng sinh',
      'Tờ khai đăng ký kết hôn',
      'Giấy báo tử',
      'Văn bản ủy quyền',
      'Giấy tờ chứng minh nơi cư trú',
      'Tờ khai cấp bản sao trích lục hộ tịch',
    ],
    results: ['Giấy khai sinh', 'Giấy chứng nhận kết hôn', 'Trích lục khai tử', 'Giấy xác nhận tình trạng hôn nhân', 'Trích lục hộ tịch'],
    laws: [
      law('60/2014/QH13', 'Luật Hộ tịch', 'Quốc hội', '20/11/2014', '01/01/2016'),
      law('123/2015/NĐ-CP', 'Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch', 'Chính phủ', '15/11/2015', '01/01/2016'),
      law('04/2020/TT-BTP', 'Thông tư quy định chi tiết thi hành một số điều của Luật Hộ tịch', 'Bộ Tư pháp', '28/05/2020', '16/07/2020'),
    ],
  },
  {
    code: 'G09-TP02',
    name: 'Chứng thực',
    ministry: M.TP,
    department: 1,
    levels: ['2', '3'],
    stems: [
      'Chứng thực bản sao từ bản chính giấy tờ, văn bản',
      'Chứng thực chữ ký trong các giấy tờ, văn bản',
      'Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản',
      'Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch',
      'Chứng thực di chúc',
      'Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực',
    ],
    documents: ['Bản chính giấy tờ, văn bản', 'Bản sao cần chứng thực', 'Dự thảo hợp đồng, giao dịch', 'Giấy tờ tùy thân của người yêu cầu chứng thực'],
    results: ['Bản sao được chứng thực từ bản chính', 'Giấy tờ, văn bản được chứng thực chữ ký', 'Hợp đồng, giao dịch được chứng thực'],
    laws: [
      law(
        '23/2015/NĐ-CP',
        'Nghị định về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, chứng thực chữ ký và chứng thực hợp đồng, giao dịch',
        'Chính phủ',
        '16/02/2015',
        '10/04/2015',
      ),
      law(
        '01/2020/TT-BTP',
        'Thông tư quy định chi tiết, hướng dẫn thi hành một số điều của Nghị định số 23/2015/NĐ-CP',
        'Bộ Tư pháp',
        '03/03/2020',
        '20/04/2020',
      ),
    ],
  },
  {
    code: 'G09-TP08',
    name: 'Lý lịch tư pháp',
    ministry: M.TP,
    department: 1,
    levels: ['0', '1'],
    stems: [
      'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam',
      'Cấp Phiếu lý lịch tư pháp cho cơ quan nhà nước, cơ quan tiến hành tố tụng',
      'Đăng ký hoạt động Văn phòng công chứng',
      'Cấp thẻ công chứng viên',
      'Đăng ký hành nghề luật sư với tư cách cá nhân',
    ],
    documents: ['Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp', 'Bản chụp Căn cước công dân', 'Văn bản ủy quyền', 'Giấy đề nghị đăng ký hoạt động'],
    results: ['Phiếu lý lịch tư pháp', 'Giấy đăng ký hoạt động', 'Thẻ công chứng viên'],
    laws: [
      law('28/2009/QH12', 'Luật Lý lịch tư pháp', 'Quốc hội', '17/06/2009', '01/07/2010'),
      law('53/2014/QH13', 'Luật Công chứng', 'Quốc hội', '20/06/2014', '01/01/2015'),
    ],
  },
  {
    code: 'G06-DN01',
    name: 'Thành lập và hoạt động của doanh nghiệp',
    ministry: M.KH,
    department: 2,
    levels: ['1'],
    stems: [
      'Đăng ký thành lập doanh nghiệp tư nhân',
      'Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên',
      'Đăng ký thành lập công ty trách nhiệm hữu hạn hai thành viên trở lên',
      'Đăng ký thành lập công ty cổ phần',
      'Đăng ký thay đổi người đại diện theo pháp luật của công ty',
      'Đăng ký thay đổi địa chỉ trụ sở chính của doanh nghiệp',
      'Thông báo tạm ngừng kinh doanh',
      'Giải thể doanh nghiệp',
      'Cấp lại Giấy chứng nhận đăng ký doanh nghiệp',
      'Đăng ký thay đổi vốn điều lệ',
    ],
    documents: [
      'Giấy đề nghị đăng ký doanh nghiệp',
      'Điều lệ công ty',
      'Danh sách thành viên',
      'Bản sao giấy tờ pháp lý của cá nhân',
      'Văn bản ủy quyền cho người nộp hồ sơ',
      'Nghị quyết, quyết định của chủ sở hữu công ty',
    ],
    results: [
      'Giấy chứng nhận đăng ký doanh nghiệp',
      'Giấy xác nhận về việc thay đổi nội dung đăng ký doanh nghiệp',
      'Thông báo về việc đăng ký tạm ngừng kinh doanh',
    ],
    laws: [
      law('59/2020/QH14', 'Luật Doanh nghiệp', 'Quốc hội', '17/06/2020', '01/01/2021'),
      law('01/2021/NĐ-CP', 'Nghị định về đăng ký doanh nghiệp', 'Chính phủ', '04/01/2021', '04/01/2021'),
      law('01/2021/TT-BKHĐT', 'Thông tư hướng dẫn về đăng ký doanh nghiệp', 'Bộ Kế hoạch và Đầu tư', '16/03/2021', '01/05/2021'),
    ],
  },
  {
    code: 'G06-DN02',
    name: 'Thành lập và hoạt động của hộ kinh doanh',
    ministry: M.KH,
    department: 2,
    levels: ['2'],
    stems: [
      'Đăng ký thành lập hộ kinh doanh',
      'Đăng ký thay đổi nội dung đăng ký hộ kinh doanh',
      'Tạm ngừng hoạt động hộ kinh doanh',
      'Chấm dứt hoạt động hộ kinh doanh',
      'Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh',
    ],
    documents: ['Giấy đề nghị đăng ký hộ kinh doanh', 'Bản sao giấy tờ pháp lý của chủ hộ kinh doanh', 'Biên bản họp thành viên hộ gia đình'],
    results: ['Giấy chứng nhận đăng ký hộ kinh doanh', 'Giấy xác nhận chấm dứt hoạt động hộ kinh doanh'],
    laws: [law('01/2021/NĐ-CP', 'Nghị định về đăng ký doanh nghiệp', 'Chính phủ', '04/01/2021', '04/01/2021')],
  },
  {
    code: 'G12-DD01',
    name: 'Đất đai',
    ministry: M.TN,
    department: 3,
    levels: ['1', '2'],
    stems: [
      'Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu',
      'Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất',
      'Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất',
      'Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất',
      'Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền',
      'Gia hạn sử dụng đất',
      'Tách thửa hoặc hợp thửa đất',
      'Xóa đăng ký cho thuê, cho thuê lại quyền sử dụng đất',
      'Đính chính Giấy chứng nhận đã cấp',
    ],
    documents: [
      'Đơn đăng ký biến động đất đai, tài sản gắn liền với đất',
      'Giấy chứng nhận đã cấp',
      'Hợp đồng chuyển nhượng quyền sử dụng đất',
      'Trích lục bản đồ địa chính',
      'Đơn xin chuyển mục đích sử dụng đất',
      'Giấy tờ về quyền sử dụng đất',
    ],
    results: [
      'Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất',
      'Quyết định cho phép chuyển mục đích sử dụng đất',
      'Văn bản xác nhận nội dung biến động',
    ],
    laws: [
      law('31/2024/QH15', 'Luật Đất đai', 'Quốc hội', '18/01/2024', '01/08/2024'),
      law(
        '101/2024/NĐ-CP',
        'Nghị định quy định về điều tra cơ bản đất đai; đăng ký, cấp Giấy chứng nhận quyền sử dụng đất',
        'Chính phủ',
        '29/07/2024',
        '01/08/2024',
      ),
      law('102/2024/NĐ-CP', 'Nghị định quy định chi tiết thi hành một số điều của Luật Đất đai', 'Chính phủ', '30/07/2024', '01/08/2024'),
    ],
  },
  {
    code: 'G12-MT01',
    name: 'Môi trường',
    ministry: M.TN,
    department: 3,
    levels: ['0', '1', '2'],
    stems: [
      'Cấp giấy phép môi trường',
      'Thẩm định báo cáo đánh giá tác động môi trường',
      'Cấp giấy phép khai thác nước dưới đất',
      'Cấp giấy phép thăm dò khoáng sản',
      'Đăng ký môi trường',
    ],
    documents: [
      'Văn bản đề nghị cấp giấy phép môi trường',
      'Báo cáo đề xuất cấp giấy phép môi trường',
      'Báo cáo đánh giá tác động môi trường',
      'Bản vẽ vị trí công trình khai thác',
    ],
    results: ['Giấy phép môi trường', 'Quyết định phê duyệt kết quả thẩm định báo cáo đánh giá tác động môi trường', 'Giấy phép khai thác nước dưới đất'],
    laws: [
      law('72/2020/QH14', 'Luật Bảo vệ môi trường', 'Quốc hội', '17/11/2020', '01/01/2022'),
      law('08/2022/NĐ-CP', 'Nghị định quy định chi tiết một số điều của Luật Bảo vệ môi trường', 'Chính phủ', '10/01/2022', '10/01/2022'),
    ],
  },
  {
    code: 'G08-GD03',
    name: 'Giáo dục và Đào tạo thuộc hệ thống giáo dục quốc dân',
    ministry: M.GD,
    department: 4,
    levels: ['1', '2'],
    stems: [
      'Công nhận trường tiểu học đạt chuẩn quốc gia',
      'Cho phép trường trung học cơ sở hoạt động giáo dục',
      'Thành lập trường mầm non tư thục',
      'Chuyển trường đối với học sinh trung học phổ thông',
      'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc',
      'Chỉnh sửa nội dung văn bằng, chứng chỉ',
      'Công nhận văn bằng tốt nghiệp do cơ sở giáo dục nước ngoài cấp',
      'Cho phép hoạt động giáo dục kỹ năng sống',
    ],
    documents: ['Tờ trình đề nghị công nhận', 'Đơn xin chuyển trường', 'Học bạ', 'Bản sao văn bằng cần chỉnh sửa', 'Đề án thành lập trường'],
    results: ['Quyết định công nhận', 'Bản sao văn bằng, chứng chỉ', 'Giấy công nhận văn bằng', 'Quyết định cho phép hoạt động giáo dục'],
    laws: [
      law('43/2019/QH14', 'Luật Giáo dục', 'Quốc hội', '14/06/2019', '01/07/2020'),
      law('46/2017/NĐ-CP', 'Nghị định quy định về điều kiện đầu tư và hoạt động trong lĩnh vực giáo dục', 'Chính phủ', '21/04/2017', '21/04/2017'),
    ],
  },
  {
    code: 'G15-KB01',
    name: 'Khám bệnh, chữa bệnh',
    ministry: M.YT,
    department: 5,
    levels: ['0', '1'],
    stems: [
      'Cấp giấy phép hành nghề khám bệnh, chữa bệnh',
      'Cấp lại giấy phép hành nghề khám bệnh, chữa bệnh',
      'Cấp giấy phép hoạt động đối với phòng khám đa khoa',
      'Cấp giấy phép hoạt động đối với phòng khám chuyên khoa',
      'Công bố đủ điều kiện thực hiện khám sức khỏe',
    ],
    documents: [
      'Đơn đề nghị cấp giấy phép hành nghề',
      'Văn bằng chuyên môn',
      'Giấy chứng nhận đủ sức khỏe để hành nghề',
      'Danh sách nhân sự',
      'Bản kê khai thiết bị y tế',
    ],
    results: ['Giấy phép hành nghề khám bệnh, chữa bệnh', 'Giấy phép hoạt động khám bệnh, chữa bệnh'],
    laws: [
      law('15/2023/QH15', 'Luật Khám bệnh, chữa bệnh', 'Quốc hội', '09/01/2023', '01/01/2024'),
      law('96/2023/NĐ-CP', 'Nghị định quy định chi tiết một số điều của Luật Khám bệnh, chữa bệnh', 'Chính phủ', '30/12/2023', '01/01/2024'),
    ],
  },
  {
    code: 'G15-DU01',
    name: 'Dược phẩm',
    ministry: M.YT,
    department: 5,
    levels: ['0', '1'],
    stems: [
      'Cấp chứng chỉ hành nghề dược',
      'Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược',
      'Điều chỉnh nội dung chứng chỉ hành nghề dược',
      'Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm',
    ],
    documents: [
      'Đơn đề nghị cấp chứng chỉ hành nghề dược',
      'Bản sao văn bằng chuyên môn',
      'Giấy xác nhận thời gian thực hành chuyên môn',
      'Tài liệu kỹ thuật của cơ sở',
    ],
    results: ['Chứng chỉ hành nghề dược', 'Giấy chứng nhận đủ điều kiện kinh doanh dược', 'Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm'],
    laws: [law('105/2016/QH13', 'Luật Dược', 'Quốc hội', '06/04/2016', '01/01/2017')],
  },
  {
    code: 'G04-DB01',
    name: 'Đường bộ',
    ministry: M.GT,
    department: 6,
    levels: ['0', '1'],
    stems: [
      'Cấp giấy phép lái xe',
      'Đổi giấy phép lái xe do ngành Giao thông vận tải cấp',
      'Cấp lại giấy phép lái xe',
      'Cấp giấy phép kinh doanh vận tải bằng xe ô tô',
      'Cấp phù hiệu xe ô tô kinh doanh vận tải',
      'Đăng ký xe máy chuyên dùng lần đầu',
      'Cấp giấy phép thi công công trình trên đường bộ đang khai thác',
    ],
    documents: [
      'Đơn đề nghị đổi, cấp lại giấy phép lái xe',
      'Giấy khám sức khỏe của người lái xe',
      'Giấy đề nghị cấp giấy phép kinh doanh vận tải',
      'Phương án kinh doanh vận tải',
      'Hồ sơ thiết kế tổ chức thi công',
    ],
    results: [
      'Giấy phép lái xe',
      'Giấy phép kinh doanh vận tải bằng xe ô tô',
      'Phù hiệu xe ô tô',
      'Giấy chứng nhận đăng ký xe máy chuyên dùng',
      'Giấy phép thi công',
    ],
    laws: [
      law('23/2008/QH12', 'Luật Giao thông đường bộ', 'Quốc hội', '13/11/2008', '01/07/2009'),
      law('10/2020/NĐ-CP', 'Nghị định quy định về kinh doanh và điều kiện kinh doanh vận tải bằng xe ô tô', 'Chính phủ', '17/01/2020', '01/04/2020'),
    ],
  },
  {
    code: 'G01-CT01',
    name: 'Đăng ký, quản lý cư trú',
    ministry: M.CA,
    department: 7,
    levels: ['2', '3'],
    stems: [
      'Đăng ký thường trú',
      'Đăng ký tạm trú',
      'Xóa đăng ký thường trú',
      'Gia hạn tạm trú',
      'Khai báo tạm vắng',
      'Thông báo lưu trú',
      'Xác nhận thông tin về cư trú',
    ],
    documents: [
      'Tờ khai thay đổi thông tin cư trú',
      'Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp',
      'Văn bản đồng ý cho đăng ký thường trú',
      'Đề nghị khai báo tạm vắng',
    ],
    results: ['Thông báo kết quả giải quyết thủ tục về cư trú', 'Văn bản xác nhận thông tin về cư trú'],
    laws: [
      law('68/2020/QH14', 'Luật Cư trú', 'Quốc hội', '13/11/2020', '01/07/2021'),
      law('62/2021/NĐ-CP', 'Nghị định quy định chi tiết một số điều của Luật Cư trú', 'Chính phủ', '29/06/2021', '01/07/2021'),
    ],
  },
  {
    code: 'G10-VL01',
    name: 'Việc làm',
    ministry: M.LD,
    department: 8,
    levels: ['1', '2'],
    stems: [
      'Giải quyết hưởng trợ cấp thất nghiệp',
      'Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam',
      'Cấp lại giấy phép lao động',
      'Xác nhận người lao động nước ngoài không thuộc diện cấp giấy phép lao động',
      'Đăng ký nội quy lao động',
    ],
    documents: [
      'Đề nghị hưởng trợ cấp thất nghiệp',
      'Quyết định chấm dứt hợp đồng lao động',
      'Sổ bảo hiểm xã hội',
      'Văn bản đề nghị cấp giấy phép lao động',
      'Giấy chứng nhận sức khỏe',
    ],
    results: ['Quyết định hưởng trợ cấp thất nghiệp', 'Giấy phép lao động', 'Văn bản xác nhận không thuộc diện cấp giấy phép lao động'],
    laws: [
      law('45/2019/QH14', 'Bộ luật Lao động', 'Quốc hội', '20/11/2019', '01/01/2021'),
      law('38/2013/QH13', 'Luật Việc làm', 'Quốc hội', '16/11/2013', '01/01/2015'),
      law('152/2020/NĐ-CP', 'Nghị định quy định về người lao động nước ngoài làm việc tại Việt Nam', 'Chính phủ', '30/12/2020', '15/02/2021'),
    ],
  },
  {
    code: 'G10-BT01',
    name: 'Bảo trợ xã hội',
    ministry: M.LD,
    department: 8,
    levels: ['2', '3'],
    stems: [
      'Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng',
      'Xác nhận hộ gia đình làm nông nghiệp có mức sống trung bình',
      'Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội',
      'Công nhận hộ nghèo, hộ cận nghèo phát sinh trong năm',
    ],
    documents: ['Tờ khai đề nghị trợ giúp xã hội', 'Giấy xác nhận khuyết tật', 'Giấy báo tử', 'Giấy đề nghị xét duyệt bổ sung hộ nghèo'],
    results: ['Quyết định trợ cấp xã hội hằng tháng', 'Giấy chứng nhận hộ nghèo', 'Quyết định hỗ trợ chi phí mai táng'],
    laws: [law('20/2021/NĐ-CP', 'Nghị định quy định chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội', 'Chính phủ', '15/03/2021', '01/07/2021')],
  },
  {
    code: 'G07-LT01',
    name: 'Lưu thông hàng hóa trong nước',
    ministry: M.CT,
    department: 9,
    levels: ['1', '2'],
    stems: [
      'Cấp Giấy phép bán lẻ sản phẩm thuốc lá',
      'Cấp Giấy phép bán lẻ rượu',
      'Cấp Giấy phép kinh doanh bán lẻ sản phẩm rượu tiêu dùng tại chỗ',
      'Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu',
      'Cấp Giấy phép hoạt động điện lực',
    ],
    documents: [
      'Đơn đề nghị cấp Giấy phép',
      'Bản sao hợp đồng mua bán với thương nhân cung cấp',
      'Bản kê địa điểm kinh doanh',
      'Giấy tờ chứng minh quyền sử dụng địa điểm kinh doanh',
    ],
    results: [
      'Giấy phép bán lẻ sản phẩm thuốc lá',
      'Giấy phép bán lẻ rượu',
      'Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu',
      'Giấy phép hoạt động điện lực',
    ],
    laws: [law('105/2017/NĐ-CP', 'Nghị định về kinh doanh rượu', 'Chính phủ', '14/09/2017', '14/09/2017')],
  },
  {
    code: 'G14-DL01',
    name: 'Du lịch',
    ministry: M.VH,
    department: 10,
    levels: ['0', '1'],
    stems: [
      'Cấp thẻ hướng dẫn viên du lịch nội địa',
      'Cấp thẻ hướng dẫn viên du lịch quốc tế',
      'Công nhận điểm du lịch',
      'Cấp giấy phép kinh doanh dịch vụ lữ hành nội địa',
      'Cấp giấy phép tổ chức biểu diễn nghệ thuật',
      'Cấp giấy phép kinh doanh dịch vụ karaoke',
    ],
    documents: [
      'Đơn đề nghị cấp thẻ hướng dẫn viên',
      'Sơ yếu lý lịch',
      'Giấy chứng nhận sức khỏe',
      'Bản sao văn bằng chuyên ngành',
      'Kịch bản chương trình biểu diễn',
    ],
    results: [
      'Thẻ hướng dẫn viên du lịch',
      'Quyết định công nhận điểm du lịch',
      'Giấy phép kinh doanh dịch vụ lữ hành',
      'Văn bản chấp thuận tổ chức biểu diễn nghệ thuật',
    ],
    laws: [
      law('09/2017/QH14', 'Luật Du lịch', 'Quốc hội', '19/06/2017', '01/01/2018'),
      law('144/2020/NĐ-CP', 'Nghị định quy định về hoạt động nghệ thuật biểu diễn', 'Chính phủ', '14/12/2020', '01/02/2021'),
    ],
  },
  {
    code: 'G11-TY01',
    name: 'Thú y',
    ministry: M.NN,
    department: 11,
    levels: ['1', '2'],
    stems: [
      'Cấp chứng chỉ hành nghề thú y',
      'Cấp giấy chứng nhận kiểm dịch động vật vận chuyển ra khỏi địa bàn cấp tỉnh',
      'Cấp giấy chứng nhận cơ sở an toàn dịch bệnh động vật',
      'Cấp giấy phép khai thác thủy sản',
      'Đăng ký tàu cá',
      'Công nhận làng nghề',
    ],
    documents: ['Đơn đăng ký cấp chứng chỉ hành nghề thú y', 'Bản sao văn bằng chuyên môn thú y', 'Giấy đăng ký kiểm dịch', 'Tờ khai đăng ký tàu cá'],
    results: ['Chứng chỉ hành nghề thú y', 'Giấy chứng nhận kiểm dịch động vật', 'Giấy chứng nhận đăng ký tàu cá', 'Giấy phép khai thác thủy sản'],
    laws: [
      law('79/2015/QH13', 'Luật Thú y', 'Quốc hội', '19/06/2015', '01/07/2016'),
      law('18/2017/QH14', 'Luật Thủy sản', 'Quốc hội', '21/11/2017', '01/01/2019'),
    ],
  },
]

/** CAPTHUCHIEN codes and names (0 ministry, 1 province, 2 district, 3 commune). */
export const LEVEL_NAMES: Record<string, string> = { '0': 'Cấp Bộ', '1': 'Cấp Tỉnh', '2': 'Cấp Huyện', '3': 'Cấp Xã' }

/** Suffixes the national catalog uses to tell apart the same procedure at several levels. */
export const LEVEL_SUFFIX: Record<string, string> = { '0': '', '1': ' (cấp tỉnh)', '2': ' (cấp huyện)', '3': ' (cấp xã)' }

/** Who the procedure is for, when the catalog splits one procedure by applicant. */
export const SCOPE_QUALIFIERS = ['', '', '', '', ' đối với tổ chức', ' đối với cá nhân']

export const CASE_NAMES = [
  'Trường hợp 1: Đối với cá nhân',
  'Trường hợp 2: Đối với tổ chức',
  'Trường hợp 3: Đối với người nước ngoài',
  'Trường hợp cấp lại do bị mất, hư hỏng',
  'Trường hợp điều chỉnh thông tin',
  'Trường hợp nộp hồ sơ trực tuyến',
]

export const STEP_TEMPLATES = [
  'Bước 1: Tổ chức, cá nhân chuẩn bị hồ sơ theo quy định',
  'Bước 2: Nộp hồ sơ tại Bộ phận Một cửa hoặc qua Cổng Dịch vụ công quốc gia',
  'Bước 3: Cán bộ tiếp nhận kiểm tra tính đầy đủ, hợp lệ của hồ sơ',
  'Bước 4: Cơ quan có thẩm quyền thẩm định, giải quyết hồ sơ',
  'Bước 5: Trả kết quả cho tổ chức, cá nhân',
]

export const COMMON_DOCUMENTS = ['Bản sao Căn cước công dân', 'Văn bản ủy quyền (nếu có)', 'Giấy tờ chứng minh nhân thân']

export const SUBJECTS = [
  { code: '1', name: 'Công dân Việt Nam' },
  { code: '2', name: 'Người Việt Nam định cư ở nước ngoài' },
  { code: '3', name: 'Người nước ngoài' },
  { code: '4', name: 'Doanh nghiệp' },
  { code: '5', name: 'Tổ chức (không bao gồm doanh nghiệp, HTX)' },
  { code: '6', name: 'Hợp tác xã' },
  { code: '7', name: 'Cán bộ, công chức, viên chức' },
]

export const FEE_AMOUNTS = [10000, 20000, 30000, 50000, 75000, 100000, 150000, 200000, 500000, 1000000]

export const FEE_DESCRIPTIONS = ['Lệ phí', 'Phí thẩm định', 'Lệ phí cấp giấy phép', 'Phí khai thác, sử dụng thông tin']
