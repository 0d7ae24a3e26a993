/* The app's own words: Vietnamese first (the keys), English second. One word for one thing (PRODUCT.md). */
'use strict';
(function (g) {
  const DH = (g.DH = g.DH || {});
  const EN = {
    'Điều hành': 'Operations',
    'Nhiệm vụ': 'Tasks',
    'Nhiệm vụ của tôi': 'My tasks',
    'Báo cáo tiến độ': 'Report progress',
    'Đang chờ gửi': 'Waiting to send',
    'Ngoại tuyến': 'Offline',
    'Duyệt hoàn thành': 'Approve',
    'Trả lại': 'Return',
    'Hoàn thành': 'Done',
    'Đã hủy': 'Cancelled',
    'Mới giao': 'Assigned',
    'Đang thực hiện': 'In progress',
    'Chờ duyệt': 'Awaiting approval',
    'Nháp': 'Draft',
    'Xin gia hạn': 'Request extension',
    'Hạn xử lý': 'Deadline',
    'Tiến độ': 'Progress',
    'Trong hạn': 'Within deadline',
    'Quá hạn': 'Overdue',
    'Đến hạn hôm nay': 'Due today',
    'Sắp đến hạn': 'Due soon',
    'Đã kết thúc': 'Closed',
    'Đơn vị chủ trì': 'Lead unit',
    'Đơn vị phối hợp': 'Coordinating units',
    'Người thực hiện': 'Assignee',
    'Văn bản chỉ đạo': 'Directive',
    'Đăng nhập': 'Sign in',
    'Đăng xuất': 'Sign out',
    'Tên đăng nhập': 'Username',
    'Mật khẩu': 'Password',
    'Sai tên đăng nhập hoặc mật khẩu': 'Wrong username or password',
    'Cần có mạng để đăng nhập': 'Signing in needs a connection',
    'Nội dung': 'Note',
    'Ảnh minh chứng': 'Photo proof',
    'Chụp ảnh': 'Take a photo',
    'Chọn từ thư viện': 'Choose from gallery',
    'Vị trí': 'Location',
    'Lấy lại vị trí': 'Locate again',
    'Đang lấy vị trí…': 'Locating…',
    'Không lấy được vị trí': 'Location unavailable',
    'Gửi báo cáo': 'Send report',
    'Gửi duyệt': 'Submit for approval',
    'Hạn mới': 'New deadline',
    'Lý do': 'Reason',
    'Gửi đề nghị': 'Send request',
    'Lịch sử': 'History',
    'Mô tả': 'Description',
    'Không có nhiệm vụ nào': 'No tasks',
    'Duyệt': 'Approvals',
    'Không có nhiệm vụ chờ duyệt': 'Nothing awaiting approval',
    'Lý do trả lại': 'Reason for returning',
    'Gửi trả lại': 'Send back',
    'Thiếu ảnh minh chứng': 'Photo proof missing',
    'Chưa đạt yêu cầu': 'Not up to standard',
    'Cần bổ sung báo cáo': 'Report needs more detail',
    'Đã duyệt': 'Approved',
    'Đã trả lại': 'Returned',
    'Bị từ chối': 'Refused',
    'Lỗi': 'Error',
    'Gửi ngay': 'Send now',
    'Bỏ qua': 'Dismiss',
    'Không có thay đổi nào đang chờ gửi': 'Nothing waiting to send',
    'Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại để gửi các thay đổi đang chờ.':
      'Your session has expired. Sign in again to send the waiting changes.',
    'Chưa có dữ liệu trên máy. Hãy mở ứng dụng khi có mạng.': 'Nothing on this phone yet. Open the app with a signal.',
    'Quay lại': 'Back',
    'ảnh': 'photos',
    'Nộp lúc': 'Submitted at',
    'Chưa có báo cáo': 'No report yet',
    'Báo cáo bị từ chối': 'Report refused',
    'Gửi kết quả để duyệt?': 'Submit the result for approval?',
    'Đã lưu, đang chờ gửi': 'Saved, waiting to send',
    'Cần nhập nội dung hoặc tiến độ': 'Enter a note or the progress',
    'Ngôn ngữ': 'Language',
  };
  let locale = 'vi';
  try { locale = g.localStorage.getItem('lang') === 'en' ? 'en' : 'vi'; } catch (e) { /* no storage */ }

  function t(text) { return locale === 'en' ? (EN[text] || text) : text; }

  function waitingBadge(n) {
    return locale === 'en' ? `${n} change${n === 1 ? '' : 's'} waiting to send` : `${n} thay đổi đang chờ gửi`;
  }

  function setLocale(next) {
    locale = next === 'en' ? 'en' : 'vi';
    try { g.localStorage.setItem('lang', locale); } catch (e) { /* no storage */ }
    if (g.document) g.document.documentElement.lang = locale;
  }

  DH.i18n = { t, waitingBadge, setLocale, get locale() { return locale; } };
})(self);
